"""Operations: the only code that changes state. They flush and audit; views commit."""
