"""The Streamlit entry point: reads the store (cached at the I/O boundary), wires the views; the page title is
the county profile's (geodata/county.toml).

Run: ``streamlit run app.py`` (``make run`` builds the default store first).
"""

import streamlit as st

from xxgeo.county import county
from xxgeo.errors import XxgeoError
from xxgeo.views.shell import run

try:
    TITLE = f"{county().title()} xxgeo"
except XxgeoError:  # no county profile: the page itself says so (run() shows the sentence)
    TITLE = "xxgeo"
st.set_page_config(page_title=TITLE, page_icon="🗺️", layout="wide")
run()
