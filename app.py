"""The Streamlit entry point: reads the store (cached at the I/O boundary), wires the views; the page title is
the county profile's (geodata/county.toml).

Run: ``streamlit run app.py`` (``make run`` builds the default store first).
"""

import streamlit as st

from xxgeo.county import county
from xxgeo.views.shell import run

st.set_page_config(page_title=f"{county().title()} xxgeo", page_icon="🗺️", layout="wide")
run()
