def refusal_message(refused):  # temporary stub until helper C's module lands
    return str(refused)
