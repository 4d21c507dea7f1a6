"""Outputs harvested from the files talents already have (BibTeX, RIS, CSL-JSON,
EndNote XML, an ORCID record, patent lists): parsed, mapped to output types,
checked for duplicates, previewed, and saved only when claimed.

One module per format turns a file into ``Harvested`` items; ``detect`` names the
format from the content; ``mapping`` turns an item into output values;
``duplicates`` finds the same output already on the profile or earlier in the
file; ``service`` keeps the preview and saves claims through the normal write path.
"""
