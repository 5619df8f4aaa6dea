"""The worker's part: keeping linked media, only when an administrator turned it on."""

from accueil.core.jobs import jobs
from accueil.open311.actions import do_keep_media

jobs.register("open311.media", every=10)(do_keep_media)
