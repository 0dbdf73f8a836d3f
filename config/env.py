"""The one place the environment is read (django-environ).

Everything configurable comes from environment variables, with safe defaults for a
developer's machine: SQLite, in-process (eager) jobs, console e-mail.
"""

from pathlib import Path

import environ

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
# A local .env file is optional; real deployments set real variables.
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)
