"""Which listener answers a request: one Bolt listener per kind of request, and a table by key behind it.

Bolt tries its listeners in turn until one matches, and for every try it first builds all the
arguments a listener could ask for (about 20 us each time). With one Bolt listener per command,
button and form, the last of them paid for twenty tries before it ran: more than a third of what a
/team cost on top of Bolt itself. So the handler modules register into a `Routes` instead, with the
decorators they would use on Bolt (`app.command(name)`, `app.action(action_id)` or
`app.action({"action_id": ..., "block_id": ...})`, `app.view(callback_id)`, `app.event(...)`), and
`mount` gives Bolt one listener per kind, matching exactly the keys registered. That listener looks
the handler up by its key and calls it with the arguments it names, as Bolt would have.

Bolt answers Slack as soon as a listener acks and lets the rest of the listener run on its own
(opening a modal, answering a direct message). `InFlight` keeps count of those, so that stopping
waits for them as it waits for the requests in flight.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
import re
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass

from slack_bolt.async_app import AsyncApp
from slack_bolt.kwargs_injection.async_args import AsyncArgs

log = logging.getLogger(__name__)

Listener = Callable[..., Awaitable[None]]

# The argument names Bolt gives listeners (ack, body, command, action, view, context, client, ...).
ARGUMENTS = frozenset(inspect.signature(AsyncArgs).parameters) - {"kwargs"}


@dataclass(frozen=True)
class Route:
    listener: Listener
    names: tuple[str, ...]

    @classmethod
    def of(cls, listener: Listener) -> Route:
        names = tuple(inspect.signature(listener).parameters)
        unknown = [name for name in names if name not in ARGUMENTS]
        if unknown:
            raise TypeError(
                f"{listener.__qualname__} asks for {', '.join(unknown)}: Bolt gives no such argument"
            )
        return cls(listener, names)

    async def __call__(self, args: AsyncArgs) -> None:
        await self.listener(**{name: getattr(args, name) for name in self.names})


class InFlight:
    """The listeners running now."""

    def __init__(self) -> None:
        self._tasks: set[asyncio.Task] = set()

    def add_current(self) -> None:
        task = asyncio.current_task()
        if task is not None:
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    async def finish(self, within: float) -> int:
        """Wait up to `within` seconds for the listeners running now; how many are still running."""
        if not self._tasks:
            return 0
        _, running = await asyncio.wait(set(self._tasks), timeout=within)
        return len(running)


class Routes:
    """The app's listeners by what they answer; `mount(app)` hands them to Bolt."""

    def __init__(self, in_flight: InFlight | None = None) -> None:
        self.in_flight = in_flight or InFlight()
        self.commands: dict[str, Route] = {}
        # action_id -> block_id (None: in any block) -> route
        self.actions: dict[str, dict[str | None, Route]] = {}
        self.views: dict[str, Route] = {}
        self.events: list[tuple[dict | str, Route]] = []

    def command(self, name: str) -> Callable[[Listener], Listener]:
        return self._into(self.commands, str(name))

    def action(self, constraints: str | dict[str, str]) -> Callable[[Listener], Listener]:
        if isinstance(constraints, dict):
            unknown = set(constraints) - {"action_id", "block_id"}
            if unknown:
                raise ValueError(f"an action is routed by action_id and block_id, not {', '.join(unknown)}")
            action_id, block_id = str(constraints["action_id"]), constraints.get("block_id")
        else:
            action_id, block_id = str(constraints), None
        return self._into(self.actions.setdefault(action_id, {}), None if block_id is None else str(block_id))

    def view(self, callback_id: str) -> Callable[[Listener], Listener]:
        return self._into(self.views, str(callback_id))

    def event(self, constraints: dict | str) -> Callable[[Listener], Listener]:
        """Events stay Bolt's to match (their types and subtypes are its business); there are few."""

        def add(listener: Listener) -> Listener:
            self.events.append((constraints, Route.of(listener)))
            return listener

        return add

    def mount(self, app: AsyncApp) -> None:
        if self.commands:
            app.command(_exactly(self.commands))(self._command)
        if self.actions:
            app.block_action(_exactly(self.actions))(self._action)
        if self.views:
            app.view_submission(_exactly(self.views))(self._view)
        for constraints, route in self.events:
            app.event(constraints)(self._event(route))

    async def _run(self, route: Route, args: AsyncArgs) -> None:
        self.in_flight.add_current()
        await route(args)

    async def _command(self, args: AsyncArgs) -> None:
        await self._run(self.commands[args.command["command"]], args)

    def _event(self, route: Route) -> Listener:
        async def event(args: AsyncArgs) -> None:
            await self._run(route, args)

        event.__name__ = route.listener.__name__  # the name Bolt's logs give it
        return event

    async def _action(self, args: AsyncArgs) -> None:
        in_blocks = self.actions[args.action["action_id"]]
        route = in_blocks.get(args.action.get("block_id")) or in_blocks.get(None)
        if route is None:
            # A button of ours in a block we no longer answer it in (an old message): nothing to do.
            log.warning(
                "no listener for action %s in block %s", args.action["action_id"], args.action.get("block_id")
            )
            await args.ack()
            return
        await self._run(route, args)

    async def _view(self, args: AsyncArgs) -> None:
        await self._run(self.views[args.view["callback_id"]], args)

    @staticmethod
    def _into(table: dict, key: str | None) -> Callable[[Listener], Listener]:
        def add(listener: Listener) -> Listener:
            if key in table:
                raise ValueError(
                    f"{key} is answered twice: {table[key].listener.__qualname__}, {listener.__qualname__}"
                )
            table[key] = Route.of(listener)
            return listener

        return add


def _exactly(keys: Iterable[str]) -> re.Pattern:
    return re.compile("^(?:" + "|".join(re.escape(key) for key in sorted(keys)) + ")$")
