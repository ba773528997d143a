"""What the system says to members, in English and Spanish. Kept neutral on a
lock screen: nothing here names substances, treatment or diagnoses."""

TEXTS = {
    "greeting": {
        "en": "Hi {first_name}, it's check-in time. ",
        "es": "Hola {first_name}, es hora de tu seguimiento. ",
    },
    "thanks": {
        "en": "Thanks for checking in. {supporter} will see your answers. Text anytime; in a crisis call or text 988.",
        "es": "Gracias por responder. {supporter} verá tus respuestas. Escribe cuando quieras; en una crisis "
        "llama o envía un texto al 988.",
    },
    "opted_out": {
        "en": "You're unsubscribed and will get no more texts from us. Reply START to resume.",
        "es": "Te diste de baja y no recibirás más mensajes. Responde START para volver.",
    },
    "opted_in": {
        "en": "Welcome back. Your check-ins will start again. Reply STOP to stop, HELP for help.",
        "es": "Bienvenido de nuevo. Tus seguimientos empiezan otra vez. Responde STOP para parar, AYUDA para ayuda.",
    },
    "already_in": {
        "en": "You're subscribed. Reply STOP to stop, HELP for help.",
        "es": "Estás suscrito. Responde STOP para parar, AYUDA para ayuda.",
    },
    "free_text": {
        "en": "Thanks for your message; {supporter} will see it. In a crisis call or text 988.",
        "es": "Gracias por tu mensaje; {supporter} lo verá. En una crisis llama o envía un texto al 988.",
    },
    "other_in_danger": {
        "en": "If someone is in danger right now, call 911 now. We have told your peer supporter. For yourself, "
        "call or text 988.",
        "es": "Si alguien está en peligro ahora mismo, llama al 911 ya. Avisamos a tu acompañante. Para ti, llama o "
        "envía un texto al 988.",
    },
    "welcome_back": {
        "en": "Welcome back, {first_name}. Your check-ins start again on {day}. Text anytime; in a crisis call or "
        "text 988. Reply STOP to stop.",
        "es": "Bienvenido de nuevo, {first_name}. Tus seguimientos empiezan otra vez el {day}. Escribe cuando "
        "quieras; en una crisis llama o envía un texto al 988. Responde STOP para parar.",
    },
    "welcome": {
        "en": "{program}: you're signed up for short check-ins by text. Msg frequency varies. Reply HELP for help, "
        "STOP to opt out.",
        "es": "{program}: te inscribiste para seguimientos cortos por texto. La frecuencia varía. Responde AYUDA "
        "para ayuda, STOP para darte de baja.",
    },
}

UNKNOWN_SENDER = (
    "This number sends check-ins for a peer-support program and does not recognize yours. "
    "In a crisis call or text 988. / Este número no reconoce el tuyo. En una crisis llama o envía un texto al 988."
)


def say(key: str, language: str, **values: str) -> str:
    variants = TEXTS[key]
    return variants.get(language, variants["en"]).format(**values)
