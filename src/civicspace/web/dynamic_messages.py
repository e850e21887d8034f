"""Interface words that templates translate from data (``_(record.visibility)``), listed
so that ``pybabel extract`` puts them in the catalogue."""


def _(message: str) -> str:
    return message


DYNAMIC_MESSAGES = (
    _("public"), _("restricted"), _("confidential"),
    _("verified"), _("unverified"), _("partially_verified"),
    _("anonymous"), _("viewer"), _("researcher"), _("editor"), _("admin"),
    _("incidents"), _("persons"), _("organisations"), _("cases"), _("laws"),
    _("statistics"), _("ratings"), _("sources"),
    _("People"), _("Legal cases"), _("Laws and drafts"), _("Civic space ratings"),
    _("Sources"), _("Statistics"), _("Organisations"),
    _("free"), _("detained"), _("house_arrest"), _("pretrial_detention"), _("imprisoned"),
    _("restricted"), _("unknown"), _("injured"), _("killed"), _("fined"),
    _("political_prisoner"), _("prisoner_of_conscience"), _("persecuted"),
    _("Wrong name or password."), _("No such incident."), _("No such person."),
    _("No such organisation."), _("No such case."), _("No such page."), _("No such record."),
    _("Log in as a researcher or editor to add incidents."),
    _("Only editors verify and publish."),
    _("Someone changed this record; reload the queue."),
    _("Log in as a researcher or editor to add records."), _("Only admins manage users."),
    _("Someone changed this record since you opened this form; nothing was saved."),
    _("Summaries"), _("summaries"),
    _("notes"), _("sources"), _("country"), _("date"), _("band"), _("stages"),
    _("assessment"), _("value"), _("unit"), _("counts"), _("as_of"), _("publisher"),
    _("official"), _("ngo"), _("media"), _("other"),
    _("Only researchers, editors and admins see victim lists."),
    _("Only editors and admins decide whether two records are one person."),
    _("No such linkage run."),
)
