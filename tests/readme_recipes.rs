//! The README's Kubernetes and Compose recipes, run: every `["agentdb", …]` command in the
//! blocks fenced as `yaml agentdb-recipe` runs, in README order, against a fresh database on
//! both backends, and must exit 0. So the recipes cannot call what agentdb does not have.

mod common;

use common::*;

/// The recipe blocks of the README, in order.
fn recipe_blocks() -> Vec<String> {
    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md"))
        .expect("README.md");
    let mut blocks = Vec::new();
    let mut current: Option<String> = None;
    for line in readme.lines() {
        match &mut current {
            None if line.starts_with("```") && line.contains("agentdb-recipe") => {
                current = Some(String::new());
            }
            Some(block) if line.starts_with("```") => {
                blocks.push(std::mem::take(block));
                current = None;
            }
            Some(block) => {
                block.push_str(line);
                block.push('\n');
            }
            None => {}
        }
    }
    assert!(current.is_none(), "an unterminated recipe block");
    blocks
}

/// The agentdb command lines of a block: each `[…]` flow sequence of strings holding
/// `"agentdb"`, from that element on (Compose's `["CMD", "agentdb", …]` included).
fn commands_of(block: &str) -> Vec<Vec<String>> {
    let mut commands = Vec::new();
    for line in block.lines() {
        if !line.contains("\"agentdb\"") {
            continue;
        }
        let start = line
            .find('[')
            .unwrap_or_else(|| panic!("no array in: {line}"));
        let end = line
            .rfind(']')
            .unwrap_or_else(|| panic!("no array in: {line}"));
        let array: Vec<String> = serde_json::from_str(&line[start..=end])
            .unwrap_or_else(|e| panic!("not a flow sequence of strings ({e}): {line}"));
        let from = array.iter().position(|a| a == "agentdb").unwrap();
        commands.push(array[from + 1..].to_vec());
    }
    commands
}

#[test]
fn the_readme_has_the_recipes_the_issue_asks_for() {
    let blocks = recipe_blocks();
    assert!(blocks.len() >= 4, "{} recipe blocks", blocks.len());
    for block in &blocks {
        assert!(
            !commands_of(block).is_empty(),
            "a recipe without a command:\n{block}"
        );
    }
    let all: Vec<String> = blocks
        .iter()
        .flat_map(|b| commands_of(b))
        .map(|c| c.join(" "))
        .collect();
    for wanted in [
        "--wait 120 migrate --create",
        "health",
        "--wait 120 migrate",
    ] {
        assert!(
            all.iter().any(|c| c.contains(wanted)),
            "no `{wanted}` in {all:?}"
        );
    }
    assert!(recipe_blocks()
        .iter()
        .any(|b| b.contains("initContainers:")));
    assert!(recipe_blocks()
        .iter()
        .any(|b| b.contains("readinessProbe:")));
    assert!(recipe_blocks().iter().any(|b| b.contains("kind: Job")));
    assert!(recipe_blocks().iter().any(|b| b.starts_with("services:")));
}

#[test]
fn every_recipe_command_runs_on_both_backends() {
    let commands: Vec<Vec<String>> = recipe_blocks()
        .iter()
        .flat_map(|b| commands_of(b))
        .collect();
    for kind in [Kind::Sqlite, Kind::Postgres] {
        let Some(db) = TestDb::new(kind) else {
            continue;
        };
        // The recipes start from nothing: a database that does not exist yet (the Job
        // creates it) in a folder of its own.
        let (url, created_name) = match kind {
            Kind::Sqlite => (
                db.dir
                    .path()
                    .join("data/agents.db")
                    .to_str()
                    .unwrap()
                    .to_string(),
                None,
            ),
            Kind::Postgres => {
                let name = format!("{}_recipe", db.pg_name().unwrap());
                (database_url(&db.url, &name), Some(name))
            }
        };
        if kind == Kind::Sqlite {
            std::fs::create_dir(db.dir.path().join("data")).unwrap();
        }
        for args in &commands {
            let out = agentdb(db.dir.path())
                .env("DATABASE_URL", &url)
                .args(args)
                .output()
                .unwrap();
            assert_eq!(
                out.status.code(),
                Some(0),
                "{kind:?}: agentdb {}\n{}{}",
                args.join(" "),
                stdout_of(&out),
                stderr_of(&out)
            );
        }
        let out = agentdb(db.dir.path())
            .env("DATABASE_URL", &url)
            .args(["status", "--check", "--verify"])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0), "{}", stdout_of(&out));
        if let Some(name) = created_name {
            db.exec(&format!("DROP DATABASE \"{name}\" WITH (FORCE)"));
        }
    }
}
