import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

// The docs hold together: every relative link resolves, every scenario in the README's index has
// its compose file, module, suite and page of the same name, and every break a module has is on
// its page and in the index (and no page names one it lacks). No Docker: files only.
const ROOT = resolve(__dirname, '../..');
const read = (file: string) => readFileSync(join(ROOT, file), 'utf8');

function markdownUnder(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { withFileTypes: true }).flatMap((entry) => {
    const path = `${dir}/${entry.name}`;
    if (entry.isDirectory()) return markdownUnder(path);
    return entry.name.endsWith('.md') ? [path] : [];
  });
}

const DOCS = ['README.md', 'CONTRIBUTING.md', ...markdownUnder('docs')];

/** The text outside fenced code blocks (and mermaid diagrams), where links and headings live. */
const withoutFences = (markdown: string) => markdown.replace(/^(```|~~~)[^\n]*\n[\s\S]*?^\1[^\n]*$/gm, '');

/** Inline links and images outside code: [text](target) and ![alt](target). */
const linksIn = (markdown: string) =>
  [
    ...withoutFences(markdown)
      .replace(/`[^`\n]*`/g, '')
      .matchAll(/!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g),
  ].map(([, target]) => target);

/**
 * The anchors GitHub gives a file's headings: lower case, punctuation dropped, each space a hyphen,
 * and `-1`, `-2`... for repeats.
 */
function anchorsOf(markdown: string): Set<string> {
  const seen = new Map<string, number>();
  const anchors = new Set<string>();
  for (const [, text] of withoutFences(markdown).matchAll(/^#{1,6}[ \t]+(.+?)[ \t#]*$/gm)) {
    const plain = text
      .replace(/`([^`]*)`/g, '$1')
      .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1')
      .replace(/<[^>]+>/g, '');
    const slug = plain
      .toLowerCase()
      .replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, '')
      .replace(/ /g, '-');
    const count = seen.get(slug) ?? 0;
    seen.set(slug, count + 1);
    anchors.add(count === 0 ? slug : `${slug}-${count}`);
  }
  return anchors;
}

describe('docs: links', () => {
  it.each(DOCS)('every relative link in %s resolves to a file, and every #anchor to a heading', (file) => {
    const broken: string[] = [];
    for (const target of linksIn(read(file))) {
      if (/^[a-z][a-z0-9+.-]*:/i.test(target)) continue; // http:, https:, mailto:
      const [path, anchor] = target.split('#');
      const destination = path ? relative(ROOT, resolve(ROOT, dirname(file), decodeURIComponent(path))) : file;
      if (!existsSync(join(ROOT, destination))) {
        broken.push(`${target}: no file ${destination}`);
      } else if (anchor !== undefined && destination.endsWith('.md') && !anchorsOf(read(destination)).has(anchor)) {
        broken.push(`${target}: no heading #${anchor} in ${destination}`);
      } else if (
        anchor !== undefined &&
        !destination.endsWith('.md') &&
        statSync(join(ROOT, destination)).isDirectory()
      ) {
        broken.push(`${target}: an anchor into a directory`);
      }
    }
    expect(broken).toEqual([]);
  });

  it('the slug rules match GitHub on the headings this repository uses', () => {
    const anchors = anchorsOf(
      '# Named network: `compose/network.yml`\n## Legacy `--link`\n## ICC off, and isolation\n## Legacy `--link`\n',
    );
    expect([...anchors]).toEqual([
      'named-network-composenetworkyml',
      'legacy---link',
      'icc-off-and-isolation',
      'legacy---link-1',
    ]);
  });
});

/** The rows of the README's scenario index: the scenario named in each, and the page it links. */
const indexRows = () =>
  [...read('README.md').matchAll(/^\| \[([^\]]+)\]\(docs\/scenarios\/([a-z0-9-]+)\.md\)/gm)].map(([, label, page]) => ({
    label,
    page,
  }));
const indexedScenarios = () => indexRows().map(({ page }) => page);
const rowOf = (name: string) =>
  read('README.md')
    .split('\n')
    .find((line) => line.startsWith(`| [${name}](`)) ?? '';

// The part below needs scripts/lib/scenarios/, the modules `stack.js` and the suites share.
type ScenarioModule = { name: string; title: string; reachedBy: string; breaks: Record<string, unknown> };
const SCENARIO_DIR = join(ROOT, 'scripts/lib/scenarios');
// eslint-disable-next-line @typescript-eslint/no-require-imports
const load = (path: string) => require(path);
const moduleOf = (name: string): ScenarioModule => load(join(SCENARIO_DIR, `${name}.js`));

function scenariosInIndexJs(): string[] {
  const { SCENARIOS } = load(join(SCENARIO_DIR, 'index.js'));
  return SCENARIOS instanceof Map ? [...SCENARIOS.keys()] : Object.keys(SCENARIOS);
}

describe('docs: the README', () => {
  it('is a front page: at most 200 lines, the depth lives in docs/', () => {
    expect(read('README.md').split('\n').length).toBeLessThanOrEqual(200);
  });
});

describe('docs: the scenario index', () => {
  it('lists scenarios, each once, each row named after the page it links', () => {
    expect(indexRows().filter(({ label, page }) => label !== page)).toEqual([]);
    const names = indexedScenarios();
    expect(names.length).toBeGreaterThan(0);
    expect(new Set(names).size).toBe(names.length);
  });

  it.each(indexedScenarios())('%s has its compose file, module, suite and page, all of that name', (name) => {
    const files = [
      `compose/${name}.yml`,
      `scripts/lib/scenarios/${name}.js`,
      `test/scenarios/${name}.test.ts`,
      `docs/scenarios/${name}.md`,
    ];
    expect(files.filter((file) => !existsSync(join(ROOT, file)))).toEqual([]);
  });

  it("lists exactly the scenarios of scripts/lib/scenarios/index.js, in SCENARIOS' order", () => {
    expect(indexedScenarios()).toEqual(scenariosInIndexJs());
  });

  it.each(indexedScenarios())(
    "%s: its page's heading and its index row show its module's title and how it is reached",
    (name) => {
      const { title, reachedBy } = moduleOf(name);
      const row = rowOf(name);

      expect(read(`docs/scenarios/${name}.md`).split('\n')[0]).toBe(`# ${title}`);
      expect(row).toContain(`[${title}](docs/scenarios/${name}.md)`);
      // A cell of its own, however Prettier pads the table.
      expect(row.split('|').map((cell) => cell.trim())).toContain(reachedBy);
    },
  );

  it('has a page for every scenario and no page for anything else', () => {
    const pages = readdirSync(join(ROOT, 'docs/scenarios'))
      .filter((file) => file.endsWith('.md'))
      .map((file) => file.replace(/\.md$/, ''));
    expect(pages.sort()).toEqual([...indexedScenarios()].sort());
  });
});

/** Each `--break <failure>` a text names, with the scenario written before it, if any. */
const breaksNamedIn = (markdown: string) =>
  [...markdown.matchAll(/(?:\b([a-z0-9-]+) )?--break ([a-z0-9-]+)/g)].map(([, scenario, failure]) => ({
    scenario,
    failure,
  }));

describe('docs: every break', () => {
  it.each(indexedScenarios())('of %s is on its page and in its README row, and they name no break it lacks', (name) => {
    const breaks = Object.keys(moduleOf(name).breaks ?? {});
    const page = read(`docs/scenarios/${name}.md`);
    const row = rowOf(name);

    expect(breaks.filter((failure) => !page.includes(`--break ${failure}`))).toEqual([]);
    expect(breaks.filter((failure) => !row.includes(`${name} --break ${failure}`))).toEqual([]);
    // A break named without a scenario before it, or after this scenario's name, must be this one's.
    const claimed = [...breaksNamedIn(page), ...breaksNamedIn(row)].filter(
      ({ scenario }) => scenario === undefined || scenario === name || !indexedScenarios().includes(scenario),
    );
    expect(claimed.map(({ failure }) => failure).filter((failure) => !breaks.includes(failure))).toEqual([]);
  });

  it('named anywhere in the docs after a scenario, is a break of that scenario', () => {
    const wrong = DOCS.flatMap((file) =>
      breaksNamedIn(read(file))
        .filter(({ scenario }) => scenario !== undefined && indexedScenarios().includes(scenario))
        .filter(({ scenario, failure }) => !Object.keys(moduleOf(scenario as string).breaks ?? {}).includes(failure))
        .map(({ scenario, failure }) => `${file}: ${scenario} --break ${failure}`),
    );
    expect(wrong).toEqual([]);
  });
});

describe('docs: the files they name', () => {
  // Paths written as code (`compose/ip.yml`, `test/scenarios/ip.test.ts`): they must exist, so that
  // a renamed file shows up here. Placeholders (<name>, *) and generated files are not checked.
  const GENERATED = new Set(['compose/offline.env', '.env']);
  const TOP = ['compose', 'scripts', 'test', 'services', 'docs', 'collections', 'k8s', '.ci'];

  it.each(DOCS)('every repository path %s names in code exists', (file) => {
    const paths = [...read(file).matchAll(/`([\w.-]+(?:\/[\w.-]+)+\/?)`/g)]
      .map(([, path]) => path)
      .filter((path) => TOP.includes(path.split('/')[0]) && !GENERATED.has(path));
    expect([...new Set(paths)].filter((path) => !existsSync(join(ROOT, path)))).toEqual([]);
  });
});
