from staff.navigation import nav_items
from staff.permissions import current_staff


def navigation(request):
    if current_staff(request) is None:
        return {"nav_items": []}
    return {"nav_items": nav_items(request)}
