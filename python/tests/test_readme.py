"""README.md's Python section runs as a doctest from the source root (its paths are the bundled example and
tests/data, so it runs offline). KVSPEC_SOURCE: the checkout (CTest sets it)."""
import doctest
import os
import pathlib
import re
import unittest

SOURCE = pathlib.Path(os.environ.get("KVSPEC_SOURCE") or pathlib.Path(__file__).resolve().parents[2])


class Readme(unittest.TestCase):
    def test_python_section_is_a_passing_doctest(self):
        readme = SOURCE / "README.md"
        text = readme.read_text(encoding="utf-8")
        section = text[text.index("## Python\n"):]
        section = section[:section.index("\n## ", 1)]
        blocks = re.findall(r"```python\n(.*?)```", section, re.S)
        test = doctest.DocTestParser().get_doctest("\n".join(blocks), {}, "README.md#python", str(readme), 0)
        self.assertGreaterEqual(len(test.examples), 8)
        report = []
        runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
        cwd = os.getcwd()
        os.chdir(SOURCE)
        try:
            runner.run(test, out=report.append)
        finally:
            os.chdir(cwd)
        self.assertEqual(runner.failures, 0, "".join(report))


if __name__ == "__main__":
    unittest.main()
