"""The worker's part: keeping linked media (only when an administrator turned it on), and
forgetting what Open311 kept about a request once its retention erased the request."""

from accueil.core.consumers import consumers
from accueil.core.jobs import jobs
from accueil.open311.actions import do_forget_submissions, do_keep_media

jobs.register("open311.media", every=10)(do_keep_media)
consumers.register("open311.retention", verbs=["case.anonymised"])(do_forget_submissions)
