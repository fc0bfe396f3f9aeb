"""Web routes of the publication review: the buttons of the review panel post here."""

from flask import Blueprint, request

import ckan.plugins.toolkit as tk

__all__ = ["datagovma_review"]

datagovma_review = Blueprint("datagovma_review", __name__)

ACTIONS = {
    "submit": "datagovma_dataset_submit",
    "publish": "datagovma_dataset_publish",
    "return": "datagovma_dataset_return",
}
DONE = {
    "submit": "The dataset was submitted to the ROD for review",
    "publish": "The dataset is published",
    "return": "The dataset was sent back to its GdD",
}


@datagovma_review.route("/dataset/<id>/review/<transition>", methods=["POST"])
def review(id, transition):
    """Runs one transition of the review as the logged-in user, then shows the dataset."""
    if transition not in ACTIONS:
        tk.abort(404, tk._("Unknown review step"))
    context = {"user": tk.current_user.name}
    try:
        dataset = tk.get_action(ACTIONS[transition])(context, {"id": id, "comment": request.form.get("comment", "")})
    except tk.NotAuthorized:
        tk.abort(403, tk._("You may not do this to this dataset"))
    except tk.ObjectNotFound:
        tk.abort(404, tk._("Dataset not found"))
    except tk.ValidationError as error:
        messages = [m for field in error.error_dict.values() for m in (field if isinstance(field, list) else [field])]
        tk.h.flash_error(" ".join(str(m) for m in messages))
        return tk.h.redirect_to("dataset.read", id=id)
    tk.h.flash_success(tk._(DONE[transition]))
    return tk.h.redirect_to("dataset.read", id=dataset["name"])
