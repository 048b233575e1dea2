"""A folder that ``python -m h11sm.h11`` puts on ``PYTHONPATH``, so that every
Python started from the program (worker processes, reloaders) installs the
face at startup too: Python runs the ``sitecustomize`` module found here."""
