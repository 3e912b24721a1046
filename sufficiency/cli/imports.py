"""``sufficiency import ...``: public datasets as published, to the area's own files.

A thin layer over ``sufficiency.importers``: it reads the area's wards, calls the importer,
writes the area's file atomically (a failed import leaves the old file as it was) and prints
what was kept and dropped, in one screen.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from ._errors import UserErrorGroup
from ._options import area_option

if TYPE_CHECKING:
    from ..importers._wards import Target


@click.group("import", cls=UserErrorGroup)
def import_group() -> None:
    """Import a public dataset (as published) into an area folder, keeping the area's rows."""


@import_group.command("postcodes", short_help="ONSPD or NSPL postcodes to postcodes.csv.")
@click.argument("file", type=click.Path(path_type=Path))
@area_option(store=False)
@click.option(
    "--replace",
    is_flag=True,
    help="Replace the area's postcodes.csv even when the file keeps under half as many "
    "postcodes. Default: refused, nothing written.",
)
def postcodes(file: Path, area: Path, replace: bool) -> None:
    """The ONS Postcode Directory or NSPL (full UK file or an extract) to AREA/postcodes.csv.

    Keeps the postcodes whose location falls in the area's wards, terminated ones included
    (marked with their month of termination), and writes them as postcode, latitude,
    longitude, ward_code.

    \b
    Examples:
      sufficiency import postcodes ONSPD_FEB_2025_UK.csv --area ~/eyc/southampton
      sufficiency import postcodes NSPL21_FEB_2025_UK.csv --area ~/eyc/southampton
    """
    from .. import geography
    from ..errors import InputError
    from ..importers.postcodes import check_replacement, import_postcodes, write_postcodes
    from ..outputs.tables import write_atomically
    from .returns import area_files, refuse_demo

    refuse_demo(area)
    folder, files = area_files(
        area, hint="Add wards.geojson (or .gpkg, .shp) first: postcodes are kept by ward"
    )
    wards = geography.read_wards(files["wards"][0])
    imported = import_postcodes(file, wards)
    if imported.postcodes.empty:
        raise InputError(
            f"none of its {imported.rows:,} postcode(s) is in the area's wards",
            file=file,
            hint=f"Check it covers the area of {files['wards'][0].name} (and the wards' CRS); "
            "nothing was written",
        )
    target = files["postcodes"][0] if files["postcodes"] else folder / "postcodes.csv"
    check_replacement(imported, file, target, replace=replace)
    write_atomically(target.parent, {target.name: lambda p: write_postcodes(imported, p)})
    for line in imported.lines(file, target):
        click.echo(line)


@import_group.command("ofsted", short_help="Ofsted childcare providers to ofsted.csv.")
@click.argument("file", type=click.Path(path_type=Path))
@area_option(store=False)
@click.option(
    "--local-authority",
    default=None,
    metavar="NAME",
    help="The area's local authority as the file writes it (keeps childminders, whose "
    "postcodes are withheld). Default: the area's name in area.toml.",
)
def ofsted(file: Path, area: Path, local_authority: str | None) -> None:
    """Ofsted's provider-level childcare data (CSV or XLSX) to AREA/ofsted.csv.

    Reads "Childcare providers and inspections" as published (a title above the header is
    found) and keeps the area's providers: those whose postcode is in the area's postcodes.csv
    (import postcodes first), and those of its local authority. Writes urn, provider name and
    type, registered places, postcode, ward_code, registration status and the latest
    inspection grade (ofsted_grade: 1 outstanding to 4 inadequate). `returns status` checks
    returns against it.

    \b
    Examples:
      sufficiency import ofsted Childcare_provider_level_data_as_at_31_August_2025.csv
      sufficiency import ofsted providers.xlsx --area ~/eyc/town --local-authority Southampton
    """
    from .. import geography
    from ..area import area_folder
    from ..errors import InputError
    from ..importers.ofsted import import_ofsted, write_providers
    from ..outputs.tables import write_atomically
    from .returns import area_files, refuse_demo

    refuse_demo(area)
    folder, files = area_files(
        area, hint="Add wards.geojson (or .gpkg, .shp) first: providers are placed in wards"
    )
    if not files["postcodes"]:
        raise InputError(
            "the area has no postcode lookup to place the providers with",
            file=folder,
            hint="Run sufficiency import postcodes ONSPD.csv --area DIR first; nothing was written",
        )
    postcodes = geography.read_postcodes(files["postcodes"][0])
    if local_authority is None:
        local_authority = area_folder(area)[1].get("area", {}).get("name")
    imported = import_ofsted(file, postcodes, local_authority)
    target = files["ofsted"][0] if files.get("ofsted") else folder / "ofsted.csv"
    write_atomically(target.parent, {target.name: lambda p: write_providers(imported, p)})
    for line in imported.lines(file, target):
        click.echo(line)


LOOKUP_OPTION = click.option(
    "--lookup",
    type=click.Path(path_type=Path),
    default=None,
    metavar="FILE",
    help="ONS 'LSOA to Electoral Ward Best Fit Lookup' (LSOA21CD, WD24CD) of the wards' year, "
    "for figures by LSOA. Default: the ward holding each LSOA's point in small_areas.",
)


def _target(area: Path, lookup: Path | None) -> tuple[Path, dict[str, list[Path]], Target]:
    """The area folder, its files, and where imported figures go (its wards, postcode lookup,
    small areas and the LSOA to ward lookup given)."""
    from .. import geography
    from ..importers._wards import Target, read_lookup
    from .returns import area_files, refuse_demo

    refuse_demo(area)
    folder, files = area_files(
        area, hint="Add wards.geojson (or .gpkg, .shp) first: figures are kept by ward"
    )
    wards = geography.read_wards(files["wards"][0])
    known = frozenset(wards["ward_code"])
    field = wards.attrs.get("code_field")
    target = Target(
        known=known,
        field=field,
        lookup=read_lookup(lookup, set(known), field) if lookup is not None else None,
        lookup_name=str(lookup) if lookup is not None else None,
        small_areas=geography.read_small_areas(files["small_areas"][0], wards)
        if files["small_areas"] and lookup is None
        else None,
        postcodes=geography.read_postcodes(files["postcodes"][0]) if files["postcodes"] else None,
    )
    return folder, files, target


@import_group.command("births", short_help="ONS or council births to births.csv.")
@click.argument("file", type=click.Path(path_type=Path))
@area_option(store=False)
@LOOKUP_OPTION
@click.option(
    "--project-missing",
    is_flag=True,
    help="Fill missing months or years of a ward with the mean of its same calendar month in "
    "the other years (marked projected = 1). Default: missing births are an error.",
)
def births(file: Path, area: Path, lookup: Path | None, project_missing: bool) -> None:
    """ONS births by ward or LSOA and year, or the council's monthly births, to AREA/births.csv.

    Recognises a ward code, an LSOA code (added up into wards by --lookup or the area's
    small_areas) or a postcode (placed by the area's postcodes.csv); a year (or a column per
    year, or a date of birth) and month; and a count of births, or one row per child.

    \b
    Examples:
      sufficiency import births births_by_lsoa_2013_2023.xlsx --lookup LSOA21_WD24_LU.csv
      sufficiency import births child_health_births.csv --area ~/eyc/town --project-missing
    """
    from ..importers.births import import_births, write_births
    from ..outputs.tables import write_atomically

    folder, files, where = _target(area, lookup)
    imported = import_births(file, where, project_missing=project_missing)
    target = files["births"][0] if files["births"] else folder / "births.csv"
    write_atomically(target.parent, {target.name: lambda p: write_births(imported, p)})
    for line in imported.lines(file, target):
        click.echo(line)


@import_group.command("population", short_help="ONS population estimates to population.csv.")
@click.argument("file", type=click.Path(path_type=Path))
@area_option(store=False)
@LOOKUP_OPTION
@click.option(
    "--year",
    type=int,
    default=None,
    metavar="YYYY",
    help="The mid-year of the estimates, when neither the sheet names (Mid-YYYY) nor a year "
    "column say it.",
)
def population(file: Path, area: Path, lookup: Path | None, year: int | None) -> None:
    """ONS mid-year population estimates by single year of age to AREA/population.csv.

    Reads the LSOA (2021 codes) or ward estimates as published: every Mid-YYYY sheet of the
    workbook, females and males added up; keeps ages 0 to 4. LSOAs are added up into wards by
    --lookup or the area's small_areas.

    \b
    Examples:
      sufficiency import population sapelsoasyoa20222024.xlsx --lookup LSOA21_WD24_LU.csv
      sufficiency import population ward_estimates_mid2023.csv --year 2023 --area ~/eyc/town
    """
    from ..importers.population import import_population, write_population
    from ..outputs.tables import write_atomically

    folder, files, where = _target(area, lookup)
    imported = import_population(file, where, year=year)
    target = files["population"][0] if files["population"] else folder / "population.csv"
    write_atomically(target.parent, {target.name: lambda p: write_population(imported, p)})
    for line in imported.lines(file, target):
        click.echo(line)
