"""Streamlit views. Only this package and ``app.py`` import streamlit."""
