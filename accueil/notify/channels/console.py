"""Development channel: prints the message instead of sending it."""

import sys


class ConsoleChannel:
    def send(self, message) -> str:
        sys.stdout.write(
            f"--- {message.channel} to {message.recipient} [{message.language}]\n"
            f"{message.subject}\n\n{message.body}\n---\n"
        )
        return f"console-{message.id}"

    def close(self) -> None:
        pass
