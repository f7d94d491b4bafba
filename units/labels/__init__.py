"""Barcode labels for units: Code 128, EAN/UPC and QR codes as PDF or ZPL.

Usable without views::

    labels = labels_for_units(units, symbology="serial", qr_base_url="https://shop.example")
    pdf_bytes = render_pdf(labels, "avery5160", 300, skip=4, copies=2)
    zpl_text = render_zpl(labels, "2x1in", 203)
"""

from units.labels.content import LabelContent, LabelError, labels_for_units
from units.labels.pdf import render_pdf
from units.labels.zpl import render_zpl

__all__ = ["LabelContent", "LabelError", "labels_for_units", "render_pdf", "render_zpl"]
