"""The demo area's generator (``demo/generate.py``): in the checkout, not the installed package."""
