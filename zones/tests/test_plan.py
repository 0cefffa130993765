"""The plan of a change batch: the one diff of its changes against the zone. No database."""

import io

import pytest

from zones import rules, services
from zones.services.plan import batch_problems, check_changes, plan_batch

ZONE = "example.com."


def spec(name: str, *values: str, ttl: int | None = 300, **fields) -> rules.RecordSetSpec:
    return rules.RecordSetSpec(name=f"{name}.{ZONE}", type="A", ttl=ttl, values=values, **fields)


def change(action: str, record_set: rules.RecordSetSpec) -> services.Change:
    return services.Change(action, record_set)


WWW = spec("www", "192.0.2.1")
MAIL = spec("mail", "192.0.2.25")
EXISTING = {WWW.key: WWW, MAIL.key: MAIL}


def test_a_plan_sorts_creates_updates_and_deletes_with_before_and_after():
    web = spec("web", "192.0.2.9")
    changed = spec("www", "192.0.2.2")
    plan = plan_batch(
        [change("CREATE", web), change("UPSERT", changed), change("DELETE", MAIL)], EXISTING, serial=7
    )
    assert (plan.creates, plan.updates, plan.deletes) == ([web], [(WWW, changed)], [MAIL])
    assert (plan.serial, plan.change_count) == (7, 3)
    assert [(line.action, line.key) for line in plan.audit] == [
        ("CREATE", web.key),
        ("UPSERT", WWW.key),
        ("DELETE", MAIL.key),
    ]
    assert plan.audit[1].before["values"] == ["192.0.2.1"] and plan.audit[1].after["values"] == ["192.0.2.2"]
    assert plan.audit[2].after is None


def test_an_upsert_that_changes_nothing_is_audited_but_no_update():
    plan = plan_batch([change("UPSERT", WWW)], EXISTING, serial=1)
    assert (plan.creates, plan.updates, plan.deletes) == ([], [], [])
    assert [line.action for line in plan.audit] == ["UPSERT"]


def test_several_changes_to_one_record_set_make_one_diff():
    cname = rules.RecordSetSpec(name=WWW.name, type="CNAME", ttl=300, values=("web.example.net.",))
    plan = plan_batch(
        [change("DELETE", WWW), change("CREATE", WWW), change("UPSERT", spec("www", "192.0.2.3"))],
        EXISTING,
        serial=1,
    )
    assert plan.updates == [(WWW, spec("www", "192.0.2.3"))] and plan.creates == plan.deletes == []
    replaced = plan_batch([change("DELETE", WWW), change("CREATE", cname)], EXISTING, serial=1)
    assert (replaced.creates, replaced.deletes) == ([cname], [WWW])
    assert replaced.first_change == {WWW.key: 0, cname.key: 1}


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ([change("CREATE", WWW)], "change 0: www.example.com. A: the record set already exists"),
        (
            [change("DELETE", spec("web", "192.0.2.1"))],
            "change 0: web.example.com. A: there is no such record set",
        ),
        (
            [change("UPSERT", MAIL), change("DELETE", spec("www", "192.0.2.1", ttl=60))],
            "change 1: www.example.com. A: does not match the record set to delete (ttl 60 is not 300)",
        ),
    ],
)
def test_a_change_that_cannot_apply_is_refused_by_its_index(changes, message):
    with pytest.raises(services.ChangeBatchError) as caught:
        plan_batch(changes, EXISTING, serial=1)
    assert caught.value.message == message
    assert caught.value.reason == message.split(": ", 1)[1]


def test_the_protected_record_sets_cannot_be_deleted():
    ns = rules.RecordSetSpec(name=ZONE, type="NS", ttl=172800, values=("ns1.example.net.",))
    with pytest.raises(services.ProtectedRecordError) as caught:
        plan_batch([change("DELETE", ns)], {ns.key: ns}, serial=1, protected={ns.key})
    assert caught.value.message == (
        "change 0: example.com. NS: the zone's SOA and apex NS record sets cannot be deleted"
    )


def test_a_plan_reads_back_as_it_was_written():
    plan = plan_batch(
        [
            change("CREATE", spec("web", ttl=None, alias_target_name=WWW.name, evaluate_target_health=True)),
            change("UPSERT", spec("www", "192.0.2.2", policy="weighted", set_identifier="a", weight=0)),
            change("DELETE", MAIL),
        ],
        EXISTING,
        serial=12,
    )
    file = io.StringIO()
    services.write_plan(plan, file)
    file.seek(0)
    again = services.read_plan(file)
    assert (again.serial, again.creates, again.updates, again.deletes, again.audit) == (
        plan.serial,
        plan.creates,
        plan.updates,
        plan.deletes,
        plan.audit,
    )


def test_every_change_that_cannot_apply_is_refused_with_its_index():
    with pytest.raises(services.ChangeBatchError) as caught:
        plan_batch(
            [
                change("CREATE", WWW),
                change("CREATE", spec("web", "192.0.2.9")),
                change("DELETE", spec("gone", "192.0.2.1")),
            ],
            EXISTING,
            serial=1,
        )
    assert caught.value.index == 0
    assert [(problem.change, str(problem)) for problem in caught.value.problems] == [
        (0, "www.example.com. A: the record set already exists"),
        (2, "gone.example.com. A: there is no such record set"),
    ]


def test_every_record_set_problem_of_every_change_is_found():
    context = rules.RuleContext(regions=frozenset({"us-east-1"}))
    normalized, problems = check_changes(
        [
            change("CREATE", rules.RecordSetSpec(name="ok", type="A", ttl=60, values=("192.0.2.1",))),
            change("CREATE", rules.RecordSetSpec(name="bad", type="A", ttl=-1, values=("300.1.2.3",))),
            change("MOVE", rules.RecordSetSpec(name="moved", type="A", ttl=60, values=("192.0.2.2",))),
        ],
        zone_name=ZONE,
        context=context,
    )
    assert [change.record_set.name for change in normalized] == ["ok.example.com."]
    assert [(problem.change, problem.field, problem.message) for problem in problems] == [
        (1, "values", "value: 300.1.2.3 is not an IPv4 address"),
        (1, "ttl", "ttl: -1 is not between 0 and 2147483647"),
        (2, "action", "action: MOVE is not CREATE, DELETE or UPSERT"),
    ]


CNAME = rules.RecordSetSpec(name=WWW.name, type="CNAME", ttl=300, values=("web.example.net.",))


@pytest.mark.parametrize(
    ("changes", "existing", "expected"),
    [
        # A CNAME added beside an A, and an A added where a CNAME is: each side says what it met.
        ([change("CREATE", CNAME)], {WWW.key: WWW}, [(0, "type", "www.example.com. has a CNAME beside A")]),
        ([change("CREATE", WWW)], {CNAME.key: CNAME}, [(0, "name", "a CNAME record set already exists at")]),
        ([change("CREATE", CNAME), change("CREATE", WWW)], {}, [(1, "name", "a CNAME record set already")]),
        ([change("CREATE", WWW), change("CREATE", CNAME)], {}, [(1, "type", "www.example.com. has a CNAME")]),
    ],
)
def test_a_zone_rule_is_reported_once_at_the_change_that_broke_it(changes, existing, expected):
    plan = plan_batch(changes, existing, serial=1)
    after = {**existing, **{key: spec for key, spec in plan.changed_record_sets().items() if spec}}
    found = batch_problems(plan, rules.check_zone(ZONE, after.values()))
    assert [(problem.change, problem.field) for problem in found] == [
        (index, name) for index, name, _ in expected
    ]
    assert all(
        problem.reason.startswith(start) for problem, (_, _, start) in zip(found, expected, strict=True)
    )


def test_a_problem_already_in_the_zone_is_not_the_batch_s():
    web = spec("web", "192.0.2.9")
    plan = plan_batch([change("CREATE", web)], {}, serial=1)
    assert rules.check_zone(ZONE, [WWW, CNAME, web]) != []
    assert batch_problems(plan, rules.check_zone(ZONE, [WWW, CNAME, web])) == []
