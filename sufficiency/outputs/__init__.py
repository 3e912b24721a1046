"""Outputs: the gap table and workbook, maps, the report, disclosure control and offline assets.

Outputs take the tables an assessment made and never recompute the model.
"""
