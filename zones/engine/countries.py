"""Country facts the engine needs and no IP database ships: continent and a central point.

One line per country of `zones.vocabulary.COUNTRIES` (ISO 3166-1 alpha-2, from pycountry;
a test holds the two equal): the code, Route 53's continent code (one of
`vocabulary.CONTINENTS`), then the latitude and longitude of a point near the middle of the
population (degrees; a degree or two of error does not change which latency region is
nearest). The islands of the far south (BV, GS, HM, TF) are in AN, beside Antarctica, as
MaxMind's data places them.
"""

from typing import NamedTuple


class CountryFacts(NamedTuple):
    """What the engine knows about one country beyond its code."""

    continent: str
    latitude: float
    longitude: float


_TABLE = """
AD EU 42.5 1.5|AE AS 24.0 54.0|AF AS 33.0 65.0|AG NA 17.1 -61.8|AI NA 18.2 -63.1|AL EU 41.0 20.0
AM AS 40.0 45.0|AO AF -12.5 18.5|AQ AN -75.0 0.0|AR SA -34.0 -64.0|AS OC -14.3 -170.0|AT EU 47.3 13.3
AU OC -27.0 133.0|AW NA 12.5 -69.9|AX EU 60.1 19.9|AZ AS 40.5 47.5|BA EU 44.0 18.0|BB NA 13.1 -59.5
BD AS 24.0 90.0|BE EU 50.8 4.0|BF AF 13.0 -2.0|BG EU 43.0 25.0|BH AS 26.0 50.5|BI AF -3.5 30.0
BJ AF 9.5 2.2|BL NA 17.9 -62.8|BM NA 32.3 -64.7|BN AS 4.5 114.7|BO SA -17.0 -65.0|BQ NA 12.2 -68.3
BR SA -15.8 -47.9|BS NA 24.2 -76.0|BT AS 27.5 90.5|BV AN -54.4 3.4|BW AF -22.0 24.0|BY EU 53.0 28.0
BZ NA 17.2 -88.7|CA NA 45.4 -75.7|CC AS -12.5 96.8|CD AF -4.3 15.3|CF AF 7.0 21.0|CG AF -1.0 15.0
CH EU 47.0 8.0|CI AF 8.0 -5.0|CK OC -21.2 -159.8|CL SA -33.5 -70.7|CM AF 6.0 12.0|CN AS 35.0 105.0
CO SA 4.6 -74.1|CR NA 10.0 -84.0|CU NA 21.5 -80.0|CV AF 16.0 -24.0|CW NA 12.2 -69.0|CX AS -10.5 105.7
CY EU 35.0 33.0|CZ EU 49.8 15.5|DE EU 51.0 10.0|DJ AF 11.5 43.0|DK EU 56.0 10.0|DM NA 15.4 -61.4
DO NA 19.0 -70.7|DZ AF 28.0 3.0|EC SA -2.0 -77.5|EE EU 59.0 26.0|EG AF 30.0 31.2|EH AF 24.5 -13.0
ER AF 15.0 39.0|ES EU 40.0 -4.0|ET AF 9.0 38.7|FI EU 62.0 26.0|FJ OC -18.0 178.0|FK SA -51.7 -59.0
FM OC 6.9 158.2|FO EU 62.0 -7.0|FR EU 46.0 2.0|GA AF -1.0 11.8|GB EU 52.5 -1.5|GD NA 12.1 -61.7
GE AS 42.0 43.5|GF SA 4.0 -53.0|GG EU 49.5 -2.6|GH AF 8.0 -2.0|GI EU 36.1 -5.4|GL NA 72.0 -40.0
GM AF 13.5 -15.5|GN AF 11.0 -10.0|GP NA 16.3 -61.6|GQ AF 2.0 10.0|GR EU 39.0 22.0|GS AN -54.3 -36.5
GT NA 15.5 -90.3|GU OC 13.5 144.8|GW AF 12.0 -15.0|GY SA 5.0 -59.0|HK AS 22.3 114.2|HM AN -53.1 73.5
HN NA 15.0 -86.5|HR EU 45.2 15.5|HT NA 19.0 -72.4|HU EU 47.0 20.0|ID AS -5.0 120.0|IE EU 53.0 -8.0
IL AS 31.5 34.8|IM EU 54.2 -4.5|IN AS 21.0 78.0|IO AS -6.0 71.5|IQ AS 33.0 44.0|IR AS 32.0 53.0
IS EU 65.0 -18.0|IT EU 42.8 12.8|JE EU 49.2 -2.1|JM NA 18.2 -77.5|JO AS 31.0 36.0|JP AS 35.7 139.7
KE AF -1.0 38.0|KG AS 41.0 75.0|KH AS 13.0 105.0|KI OC 1.4 173.0|KM AF -12.2 44.2|KN NA 17.3 -62.7
KP AS 40.0 127.0|KR AS 37.5 127.0|KW AS 29.3 47.7|KY NA 19.5 -80.5|KZ AS 48.0 68.0|LA AS 18.0 105.0
LB AS 33.8 35.8|LC NA 13.9 -61.0|LI EU 47.2 9.5|LK AS 7.0 81.0|LR AF 6.5 -9.5|LS AF -29.5 28.5
LT EU 56.0 24.0|LU EU 49.8 6.2|LV EU 57.0 25.0|LY AF 25.0 17.0|MA AF 32.0 -5.0|MC EU 43.7 7.4
MD EU 47.0 29.0|ME EU 42.5 19.3|MF NA 18.1 -63.1|MG AF -20.0 47.0|MH OC 9.0 168.0|MK EU 41.8 22.0
ML AF 17.0 -4.0|MM AS 22.0 98.0|MN AS 46.0 105.0|MO AS 22.2 113.6|MP OC 15.2 145.8|MQ NA 14.7 -61.0
MR AF 20.0 -12.0|MS NA 16.8 -62.2|MT EU 35.9 14.4|MU AF -20.3 57.6|MV AS 3.2 73.0|MW AF -13.5 34.0
MX NA 19.4 -99.1|MY AS 3.1 101.7|MZ AF -18.3 35.0|NA AF -22.0 17.0|NC OC -21.5 165.5|NE AF 16.0 8.0
NF OC -29.0 168.0|NG AF 9.0 8.0|NI NA 13.0 -85.0|NL EU 52.5 5.8|NO EU 60.5 9.0|NP AS 28.0 84.0
NR OC -0.5 166.9|NU OC -19.0 -169.9|NZ OC -41.0 174.0|OM AS 21.0 57.0|PA NA 9.0 -80.0|PE SA -12.0 -77.0
PF OC -17.6 -149.5|PG OC -6.0 147.0|PH AS 13.0 122.0|PK AS 30.0 70.0|PL EU 52.0 19.5|PM NA 46.8 -56.2
PN OC -25.1 -130.1|PR NA 18.2 -66.5|PS AS 32.0 35.2|PT EU 39.5 -8.0|PW OC 7.5 134.6|PY SA -23.0 -58.0
QA AS 25.3 51.2|RE AF -21.1 55.5|RO EU 46.0 25.0|RS EU 44.0 21.0|RU EU 55.8 37.6|RW AF -2.0 30.0
SA AS 25.0 45.0|SB OC -9.0 160.0|SC AF -4.6 55.5|SD AF 15.0 30.0|SE EU 59.3 16.0|SG AS 1.3 103.8
SH AF -15.9 -5.7|SI EU 46.1 14.8|SJ EU 78.2 15.6|SK EU 48.7 19.5|SL AF 8.5 -11.5|SM EU 43.9 12.4
SN AF 14.5 -14.5|SO AF 6.0 46.0|SR SA 4.0 -56.0|SS AF 7.0 30.0|ST AF 0.3 6.6|SV NA 13.8 -88.9
SX NA 18.0 -63.1|SY AS 35.0 38.0|SZ AF -26.5 31.5|TC NA 21.8 -71.8|TD AF 15.0 19.0|TF AN -49.4 70.2
TG AF 8.0 1.2|TH AS 14.0 100.5|TJ AS 39.0 71.0|TK OC -9.0 -171.8|TL AS -8.8 125.9|TM AS 40.0 60.0
TN AF 34.0 9.0|TO OC -20.0 -175.0|TR AS 39.0 35.0|TT NA 10.5 -61.3|TV OC -8.0 178.0|TW AS 24.0 121.0
TZ AF -6.0 35.0|UA EU 49.0 32.0|UG AF 1.0 32.0|UM OC 19.3 166.6|US NA 39.0 -98.0|UY SA -33.0 -56.0
UZ AS 41.0 64.0|VA EU 41.9 12.5|VC NA 13.2 -61.2|VE SA 8.0 -66.0|VG NA 18.4 -64.6|VI NA 18.3 -64.9
VN AS 16.0 106.0|VU OC -16.0 167.0|WF OC -13.3 -176.2|WS OC -13.6 -172.3|YE AS 15.0 48.0|YT AF -12.8 45.2
ZA AF -29.0 24.0|ZM AF -15.0 28.0|ZW AF -19.0 29.8
"""

CONTINENT_POINTS: dict[str, tuple[float, float]] = {
    "AF": (2.0, 20.0),
    "AN": (-75.0, 0.0),
    "AS": (30.0, 95.0),
    "EU": (50.0, 10.0),
    "NA": (40.0, -95.0),
    "OC": (-25.0, 140.0),
    "SA": (-15.0, -60.0),
}


def _parse(table: str) -> dict[str, CountryFacts]:
    countries = {}
    for entry in table.replace("\n", "|").split("|"):
        if not entry.strip():
            continue
        code, continent, latitude, longitude = entry.split()
        countries[code] = CountryFacts(continent, float(latitude), float(longitude))
    return countries


COUNTRY_FACTS: dict[str, CountryFacts] = _parse(_TABLE)

# Codes an IP-location database may report that are not ISO 3166-1, so no record can name
# them. A client located there keeps the code and takes its continent and point from here,
# and so still matches a continent record. XK is the user-assigned code for Kosovo that
# geoip2fast and MaxMind use.
NON_ISO_FACTS: dict[str, CountryFacts] = {"XK": CountryFacts("EU", 42.6, 21.0)}

_LOCATABLE = {**COUNTRY_FACTS, **NON_ISO_FACTS}


def get_country_facts(code: str | None) -> CountryFacts | None:
    """The facts of a country code as a locator reports it, or None when it is unknown."""
    return _LOCATABLE.get(code or "")
