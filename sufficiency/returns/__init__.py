"""Termly provider returns: the return's columns and reader, the validation rules, the store,
return tracking and the template."""
