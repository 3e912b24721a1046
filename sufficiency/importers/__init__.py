"""Importers: public datasets as published, cut to an area and written as the area's own files.

Each importer recognises its file by its header (every edition's column names it knows, listed
in the error when none match), keeps only the area's rows and says what it kept, what it dropped
and why: ``postcodes`` (ONSPD, NSPL), ``ofsted`` (childcare providers and inspections).
"""
