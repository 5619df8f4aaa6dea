"""Email over SMTP, configured by Django's own settings (EMAIL_HOST, EMAIL_PORT, …)."""

import smtplib

from django.conf import settings
from django.core.mail import EmailMessage, get_connection

from accueil.notify.attachments import attachments
from accueil.notify.channels import PermanentFailure, TemporaryFailure
from accueil.notify.unsubscribe import unsubscribe_url


class EmailChannel:
    def __init__(self):
        self.connection = None

    def _connection(self):
        if self.connection is None:
            self.connection = get_connection(fail_silently=False)
            self.connection.open()
        return self.connection

    def close(self) -> None:
        if self.connection is not None:
            try:
                self.connection.close()
            finally:
                self.connection = None

    def send(self, message) -> str:
        if any(ch in message.subject for ch in "\r\n"):
            raise PermanentFailure("line break in the subject", "subject_line_break")
        threading = f"{message.thread}{message.reply_to}{message.references}"
        if any(ch in threading for ch in "\r\n"):  # enqueue refuses them; rows made otherwise
            raise PermanentFailure("line break in a threading header", "subject_line_break")
        headers = {"Message-ID": message.message_id, "Content-Language": message.language}
        answered = message.references.split()
        if message.thread:
            answered = [message.thread_id, *answered]
        if answered:
            # The thread's root first, the message answered last (RFC 5322, 3.6.4).
            headers["In-Reply-To"] = answered[-1]
            headers["References"] = " ".join(answered)
        if message.reply_to:
            headers["Reply-To"] = message.reply_to
        if message.proactive:
            link = unsubscribe_url("email", message.recipient, message.language)
            headers["List-Unsubscribe"] = f"<{link}>"
            headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
        email = EmailMessage(
            subject=message.subject,
            body=message.body,
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[message.recipient],
            headers=headers,
        )
        for name, content, mimetype in attachments(message):
            email.attach(name, content, mimetype)
        try:
            self._connection().send_messages([email])
        except smtplib.SMTPRecipientsRefused as error:
            codes = {code for code, _ in error.recipients.values()}
            self.close()
            if all(400 <= code < 500 for code in codes):
                raise TemporaryFailure(
                    f"recipient deferred {sorted(codes)}", "recipient_deferred"
                ) from None
            raise PermanentFailure(
                f"recipient refused {sorted(codes)}", "recipient_refused"
            ) from None
        except smtplib.SMTPResponseException as error:
            self.close()
            if 400 <= error.smtp_code < 500:
                raise TemporaryFailure(f"SMTP {error.smtp_code}", "smtp_error") from None
            raise PermanentFailure(f"SMTP {error.smtp_code}", "smtp_error") from None
        except (OSError, smtplib.SMTPException) as error:  # refused, reset, timed out
            self.close()
            raise TemporaryFailure(type(error).__name__, "unreachable") from None
        return message.message_id
