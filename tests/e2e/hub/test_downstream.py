"""Staff decisions and comments flow down to the laptops of the case's
unit only (DESIGN.md §4 "Downstream")."""
import wire


def changes_for(device, cid):
    r, h, p = device.sync(device.pull())
    assert r.status == 200
    return [c for c in p["changes"] if c["id"] == cid or c["fields"].get("case") == cid]


def test_decision_reaches_own_unit_only(hub):
    hub.cli("unit", "add", "--code", "KR-C02", "--name", "Мобільний кейс 2", "--kind", "case")
    a = hub.device()
    other = hub.device(unit="KR-C02")
    assert other.code == "KR-C02A"
    cid, ch = a.new_case()
    assert a.send([ch])[0].status == 200
    assert changes_for(other, cid) == []
    number = ch["fields"]["number"]
    # options may come after the words, and before them
    out = hub.cli("case", "decide", number, "--decision", "needs_info",
                  "--reason", "потрібна довідка про склад сім'ї", json=True)
    assert out["status"] == "needs_info" and out["id"] == cid
    hub.cli("--text", "Зателефонуйте заявнику", "case", "comment", cid)
    got = changes_for(a, cid)
    assert [(c["entity"], c["op"]) for c in got] == [("case", "transition"),
                                                     ("comment", "append")]
    t = got[0]["fields"]
    assert (t["from"], t["to"]) == ("received", "needs_info")
    assert t["reason"].startswith("потрібна")
    assert got[1]["fields"]["text"] == "Зателефонуйте заявнику"
    assert changes_for(other, cid) == []
    # the laptop amends and resubmits: the hub receives it again
    re = a.change("case", cid, "transition", {"from": "needs_info", "to": "submitted"})
    r, h, p = a.send([re])
    assert r.status == 200 and p["quarantined"] == []
    # the ack stands for `received`: the hub does not echo it to the sender
    assert [c for c in p["changes"] if c["id"] == cid] == []
    assert hub.cli("case", "show", number, json=True)["status"] == "received"
    hub.cli("case", "decide", cid, "--decision", "approved")
    got = changes_for(a, cid)
    assert [c["fields"]["to"] for c in got] == ["approved"]
    # then the laptop issues it
    iss = a.change("case", cid, "transition", {"from": "approved", "to": "issued"})
    r, h, p = a.send([iss])
    assert p["quarantined"] == []
    shown = hub.cli("case", "show", cid, json=True)
    assert shown["status"] == "issued"
    assert [e["to"] for e in shown["history"] if e["kind"] == "transition"] == [
        "received", "needs_info", "submitted", "received", "approved", "issued"]
    assert [e["actor"] for e in shown["history"] if e["kind"] == "transition"] == [
        "hub", "admin", a.code, "hub", "admin", a.code]
    assert changes_for(other, cid) == []


def test_staff_state_machine_via_cli(hub, device):
    cid, ch = device.new_case()
    assert device.send([ch])[0].status == 200
    p = hub.cli("case", "decide", cid, "--decision", "rejected", check=False)
    assert p.returncode != 0 and "reason" in p.stderr and p.stderr.count("\n") == 1
    p = hub.cli("case", "decide", cid, "--decision", "issued", check=False)
    assert p.returncode != 0
    hub.cli("case", "decide", cid, "--decision", "in_review")
    hub.cli("case", "decide", cid, "--decision", "rejected", "--reason", "не той пакет")
    p = hub.cli("case", "decide", cid, "--decision", "approved", check=False)
    assert p.returncode != 0 and "rejected" in p.stderr
    assert hub.cli("case", "list", "--status", "rejected", json=True)[0]["id"] == cid
    assert hub.cli("case", "list", "--status", "received", json=True) == []


def test_package_services_move_separately(hub, device):
    cid, ch = device.new_case(services=("CIV-01", "SOC-01"))
    assert device.send([ch])[0].status == 200
    hub.cli("case", "decide", cid, "--decision", "approved", "--service", "CIV-01")
    shown = hub.cli("case", "show", cid, json=True)
    assert {s["code"]: s["status"] for s in shown["services"]} == {
        "CIV-01": "approved", "SOC-01": "received"}
    assert shown["status"] == "received"  # the least advanced service
    hub.cli("case", "decide", cid, "--decision", "rejected", "--reason", "не має права",
            "--service", "SOC-01")
    assert hub.cli("case", "show", cid, json=True)["status"] == "approved"
    got = changes_for(device, cid)
    assert [c["fields"].get("service") for c in got if c["op"] == "transition"][-2:] == [
        "CIV-01", "SOC-01"]
