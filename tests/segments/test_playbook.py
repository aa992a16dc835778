import pytest

from clv_engine.errors import InputError
from clv_engine.segments import RFM_SEGMENT_ORDER, Playbook, is_safe_tag


def test_built_in_playbook_covers_tiers_and_every_rfm_segment():
    book = Playbook.load()
    assert "Send exclusive offers" in book.actions_for("High")
    assert any("Upsell" in a for a in book.actions_for("Medium"))
    assert "Ask for feedback" in book.actions_for("low")  # case-insensitive
    assert any("win-back" in a.lower() for a in book.actions_for("At risk"))
    assert any("win" in a.lower() for a in book.actions_for("Can't lose them"))
    for segment in RFM_SEGMENT_ORDER:
        assert book.actions_for(segment), segment
        assert is_safe_tag(book.tag_for(segment))
    assert book.actions_for("Nobody") == []
    assert book.tag_for("Nobody") is None


def test_user_playbook_with_semicolons_and_windows_encoding(tmp_path):
    path = tmp_path / "my playbook.csv"
    path.write_bytes("Segment;Action;Tag\nHigh;Café voucher;vip-cafe\nHigh;Call them;\n".encode("cp1252"))
    book = Playbook.load(path)
    assert book.actions_for("High") == ["Café voucher", "Call them"]
    assert book.tag_for("High") == "vip-cafe"


def test_playbook_row_without_action_names_file_and_row(tmp_path):
    path = tmp_path / "playbook.csv"
    path.write_text("segment,action,tag\nHigh,Thank them,vip\nLow,,nurture\n", encoding="utf-8")
    with pytest.raises(InputError) as err:
        Playbook.load(path)
    assert "playbook.csv, row 3, column 'action'" in str(err.value)


def test_playbook_with_unsafe_tag_is_rejected(tmp_path):
    path = tmp_path / "playbook.csv"
    path.write_text('segment,action,tag\nHigh,Thank them,"vip, gold"\n', encoding="utf-8")
    with pytest.raises(InputError, match="row 2, column 'tag'"):
        Playbook.load(path)


def test_playbook_without_header_columns_is_rejected(tmp_path):
    path = tmp_path / "playbook.csv"
    path.write_text("name,todo\nHigh,Thank them\n", encoding="utf-8")
    with pytest.raises(InputError, match="segment,action,tag"):
        Playbook.load(path)


def test_missing_playbook_file_is_a_clear_error(tmp_path):
    with pytest.raises(InputError, match="Cannot read the playbook"):
        Playbook.load(tmp_path / "nope.csv")
