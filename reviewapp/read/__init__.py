"""Read side: what pages, the PDF and the dashboard show."""
