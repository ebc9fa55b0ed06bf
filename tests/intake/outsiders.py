from tests.intake.factories import item
from tests.outsiders import Outsider

CASES = {
    "intake:detail": Outsider(
        "grace",
        lambda w: {"pk": item(w.other_unit, "BETA-MOT", by=w.charlie).pk},
        method="post",
        data=lambda w: {"p-needed": "1"},
    ),
}
