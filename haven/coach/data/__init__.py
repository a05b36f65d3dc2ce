"""The shipped model artefact (model.json) and the corpus it is trained on (corpus/)."""
