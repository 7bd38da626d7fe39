"""Readers and writers for the formats the bureau exchanges (as in geopandas' and rio-tiler's ``io/``).

* :mod:`.archive`   safe unpacking of zip / KMZ uploads (zip bombs, ``../`` paths, truncation);
* :mod:`.sniff`     what a file really is, from its bytes (never trusting the extension alone);
* :mod:`.encoding`  text encodings (.cpg, UTF-8, GBK/GB18030) and mojibake detection;
* :mod:`.readers`   one reader per format, each returning a :class:`.readers.RawTable`;
* :mod:`.crs_rules` which coordinate system a file is in, and the conversion to WGS84;
* :mod:`.columns`   Chinese and English headers mapped to the schema's fields, values normalised;
* :mod:`.writers`   the export formats (GeoPackage, GeoJSON, shapefile zip, Excel, CSV, KML);

Every refusal raises :class:`xxgeo.errors.ImportRefused` with one Chinese sentence.
"""
