"""Run by Python at startup in interpreters started under ``python -m
h11sm.h11`` (the folder is on their ``PYTHONPATH``): puts the face in h11's
place before the program imports anything, then runs the ``sitecustomize``
this one hides, if there is one."""

from h11sm.h11._install import install_at_startup

install_at_startup(__file__)
