"""The department data loop: what is missing, the request workbook, taking returns back."""
