"""Demo and scale data: ``fieldline seed-demo`` (``company``) and ``--scale N`` (``scale``)."""
