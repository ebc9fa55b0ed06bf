"""The change-history app holds no models of its own: each app declares the models it wants tracked in its
`trust.py` (see `registry`), and they are found here, once every domain app's models are loaded. Its
migrations 0001-0016 made the tables of the models tracked before issue 17; 0017 hands their state to the
apps that own them.
"""

from staff.platform.history import registry

registry.discover()
