"""Operating a Hearth site: backups and restores (``hearth backup``, ``hearth restore``)."""
