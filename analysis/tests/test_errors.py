"""Clear errors: files that are not depinsim outputs, newer schemas, the wrong kind of file,
a missing or failing program."""

import shutil

import h5py
import pytest

import depinsim


def test_a_missing_file_is_file_not_found(tmp_path):
    with pytest.raises(FileNotFoundError, match="no such file"):
        depinsim.load_run(tmp_path / "absent.h5")


def test_a_file_that_is_not_hdf5_is_not_a_depinsim_file(tmp_path):
    path = tmp_path / "notes.h5"
    path.write_text("not HDF5\n")
    with pytest.raises(depinsim.NotADepinsimFileError, match="not an HDF5 file"):
        depinsim.load_run(path)
    with pytest.raises(depinsim.NotADepinsimFileError, match="not an HDF5 file"):
        depinsim.load_sweep(path)


def test_an_hdf5_file_without_schema_version_is_not_a_depinsim_file(tmp_path):
    path = tmp_path / "other.h5"
    with h5py.File(path, "w") as f:
        f["epochs/x"] = [1, 2, 3]
    with pytest.raises(depinsim.NotADepinsimFileError, match="no schema_version"):
        depinsim.load_run(path)


def test_a_newer_schema_version_is_refused_naming_both_versions(files, tmp_path):
    path = tmp_path / "future.h5"
    shutil.copy(files["basic"], path)
    with h5py.File(path, "a") as f:
        f.attrs["schema_version"] = depinsim.SCHEMA_VERSION + 1
    with pytest.raises(depinsim.SchemaVersionError) as e:
        depinsim.load_run(path)
    assert f"schema_version {depinsim.SCHEMA_VERSION + 1}" in str(e.value)
    assert f"up to {depinsim.SCHEMA_VERSION}" in str(e.value)
    assert isinstance(e.value, depinsim.DepinsimError)


def test_a_run_file_without_its_groups_is_refused(tmp_path):
    path = tmp_path / "hollow.h5"
    with h5py.File(path, "w") as f:
        f.attrs["schema_version"] = 1
    with pytest.raises(depinsim.NotADepinsimFileError, match="no /epochs"):
        depinsim.load_run(path)


def test_an_index_is_not_a_run_and_a_run_is_not_an_index(files, binary, tmp_path):
    import subprocess
    index = tmp_path / "index.h5"
    subprocess.run([binary, "merge", files["basic"], "-o", index], check=True,
                   capture_output=True)
    with pytest.raises(depinsim.NotADepinsimFileError, match="use load_sweep"):
        depinsim.load_run(index)
    with pytest.raises(depinsim.NotADepinsimFileError, match="use load_run"):
        depinsim.load_sweep(files["basic"])
    with h5py.File(index, "a") as f:
        f.attrs["schema_version"] = 7
    with pytest.raises(depinsim.SchemaVersionError, match="schema_version 7"):
        depinsim.load_sweep(index)


def test_an_unknown_kind_is_refused(files, tmp_path):
    path = tmp_path / "odd.h5"
    shutil.copy(files["basic"], path)
    with h5py.File(path, "a") as f:
        f.attrs["kind"] = "checkpoint"
    with pytest.raises(depinsim.NotADepinsimFileError, match="checkpoint"):
        depinsim.load_run(path)
    with pytest.raises(depinsim.NotADepinsimFileError, match="checkpoint"):
        depinsim.load_sweep(path)


def test_a_sweep_whose_run_file_is_gone_names_the_file(files, binary, tmp_path):
    import subprocess
    run = tmp_path / "run.h5"
    shutil.copy(files["one_day"], run)
    index = tmp_path / "index.h5"
    subprocess.run([binary, "merge", run, "-o", index], check=True, capture_output=True)
    run.unlink()
    with pytest.raises(FileNotFoundError, match="run.h5"):
        depinsim.load_sweep(index)


def test_the_program_from_the_environment_must_exist(monkeypatch, tmp_path):
    monkeypatch.setenv("DEPINSIM", str(tmp_path / "nothing"))
    with pytest.raises(depinsim.BinaryNotFoundError, match="DEPINSIM="):
        depinsim.find_binary()
    with pytest.raises(depinsim.BinaryNotFoundError):
        depinsim.find_binary(tmp_path / "nothing")


def test_a_failing_run_raises_with_the_programs_message(tmp_path):
    with pytest.raises(depinsim.RunFailedError) as e:
        depinsim.run_scenario("basic_sensors", tmp_path / "x.h5",
                              overrides={"run.durration": "1d"})
    assert e.value.returncode == 2
    assert "run.durration: unknown key" in str(e.value)
    assert 'did you mean "duration"' in str(e.value)
    assert not (tmp_path / "x.h5").exists()


def test_an_unknown_scenario_name_is_file_not_found():
    with pytest.raises(FileNotFoundError, match="no_such_scenario"):
        depinsim.scenario_file("no_such_scenario")
