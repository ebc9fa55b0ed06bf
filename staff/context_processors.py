from .navigation import nav_items
from .permissions import current_staff


def navigation(request):
    if current_staff(request) is None:
        return {"nav_items": []}
    return {"nav_items": nav_items(request)}
