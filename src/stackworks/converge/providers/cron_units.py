"""What a scheduled job looks like on a registered host: a systemd timer + oneshot service, or,
without systemd, an `/etc/cron.d` entry. Pure text rendering, from a parsed `Schedule`.

systemd's OnCalendar ANDs its day fields while cron ORs day-of-month and day-of-week when both
are restricted, so such a schedule becomes two OnCalendar lines.
"""

from __future__ import annotations

import shlex

from stackworks.converge.providers.cron_jobs import Job
from stackworks.converge.providers.systemd import _quote
from stackworks.converge.schedule import FIELDS, Schedule

WEEKDAY_NAMES = ("Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat")
KILL_AFTER_SECONDS = 10


def unit_name(job_name: str) -> str:
    return f"stackworks-cron-{job_name}"


def _values(values: frozenset[int], index: int, width: int = 2) -> str:
    _, low, high, _ = FIELDS[index]
    if index == 4:
        high = 6
    if set(values) >= set(range(low, high + 1)):
        return "*"
    return ",".join(f"{v:0{width}d}" for v in sorted(values))


def on_calendar(schedule: Schedule) -> list[str]:
    """OnCalendar= values (systemd.time(7)) that together fire when the cron schedule does."""
    minutes = _values(schedule.minutes, 0)
    hours = _values(schedule.hours, 1)
    days = _values(schedule.days, 2)
    months = _values(schedule.months, 3)
    weekdays = ",".join(WEEKDAY_NAMES[d] for d in sorted(schedule.weekdays))
    time = f"{hours}:{minutes}:00"
    if schedule.days_restricted and schedule.weekdays_restricted:
        return [f"*-{months}-{days} {time}", f"{weekdays} *-{months}-* {time}"]
    prefix = f"{weekdays} " if schedule.weekdays_restricted else ""
    return [f"{prefix}*-{months}-{days} {time}"]


def render_timer(job: Job, schedule: Schedule) -> str:
    lines = ["[Unit]", f"Description=Stackworks scheduled job {job.name} ({job.schedule})", ""]
    lines += ["[Timer]", *(f"OnCalendar={c}" for c in on_calendar(schedule))]
    lines += [f"Unit={unit_name(job.name)}.service", "", "[Install]", "WantedBy=timers.target", ""]
    return "\n".join(lines)


def render_service(job: Job) -> str:
    """A oneshot: systemd never starts it again while a run is active, so runs never overlap;
    TimeoutStartSec ends a run that takes longer than the job's timeout."""
    service = [
        "Type=oneshot",
        f"ExecStart={' '.join(_quote(a) for a in job.command)}",
        f"TimeoutStartSec={int(job.timeout)}",
        "KillMode=control-group",
    ]
    if job.cwd:
        service.append(f"WorkingDirectory={job.cwd}")
    if job.user:
        service.append(f"User={job.user}")
    for key, value in sorted(job.environment.items()):
        service.append(f"Environment={_quote(f'{key}={value}')}")
    return (
        "\n".join(
            [
                "[Unit]",
                f"Description=Stackworks scheduled job {job.name}",
                "",
                "[Service]",
                *service,
            ]
        )
        + "\n"
    )


def render_cron_d(job: Job, lock_dir: str) -> str:
    """An /etc/cron.d file: flock -n keeps a run from overlapping the previous one and
    timeout(1) ends one that outlives the job's timeout."""
    env = [f"{key}={value}" for key, value in sorted(job.environment.items())]
    argv = [
        "/usr/bin/flock",
        "-n",
        f"{lock_dir}/{unit_name(job.name)}.lock",
        "/usr/bin/timeout",
        f"--kill-after={KILL_AFTER_SECONDS}",
        str(int(job.timeout)),
        *job.command,
    ]
    command = shlex.join(argv).replace("%", "\\%")
    if job.cwd:
        command = f"cd {shlex.quote(job.cwd)} && {command}"
    line = f"{job.schedule} {job.user or 'root'} {command}"
    return "\n".join(["# written by stackworks: cron[" + job.name + "]", *env, line, ""])
