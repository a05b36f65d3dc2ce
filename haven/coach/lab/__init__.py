"""Training, evaluation and model comparison for the coach (`haven coach train|evaluate|compare`):
run by developers, never by a request. Needs scikit-learn (the dev or coach-train extras)."""
