// Parses PowerShell scripts with the tree-sitter PowerShell grammar and prints, as one
// JSON document on standard output, what the windows-checks tests look at: the syntax
// errors (ERROR and MISSING nodes) and the facts of each script's structure.
//
// Usage: node parse.mjs FILE...
//
// For each file:
//   errors            [{line, column, kind, text}]
//   leadingComments   text of the comments before the script's param block (help)
//   paramBlock        {attributes: [{name, arguments: [name]}], parameters: [name]} or null
//   topLevelCommands  [{name, elements}] of the script's own statements (not in functions)
//   topLevelAssignments [{left, right}]
//   functions         [{name, helpComments, parameters: [name]}]
//   commands          [{name, elements, line}] anywhere in the file

import { readFileSync } from 'node:fs';
import v8 from 'node:v8';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Parser, Language } from 'web-tree-sitter';

// The grammar is a large WebAssembly module. V8's optimizing compiler would spend
// seconds on it in the background, and the process waits for that before it exits;
// its baseline compiler alone (Liftoff) parses these scripts in milliseconds.
v8.setFlagsFromString('--liftoff-only');

const here = dirname(fileURLToPath(import.meta.url));
const grammar = join(here, 'node_modules', 'tree-sitter-powershell', 'tree-sitter-powershell.wasm');

await Parser.init();
const language = await Language.load(grammar);
const parser = new Parser();
parser.setLanguage(language);

function children(node) {
  return node.children;
}

// The nodes of a type below a node, leaving out those inside a node of a stopAt type
// (for example the commands of nested functions). descendantsOfType runs inside the
// parser, which is much faster than walking the tree node by node from JavaScript.
function descendants(node, type, out = [], stopAt = null) {
  for (const found of node.descendantsOfType(type)) {
    if (found.id === node.id) continue;
    let inside = false;
    if (stopAt) {
      for (let p = found.parent; p && p.id !== node.id; p = p.parent) {
        if (stopAt.includes(p.type)) {
          inside = true;
          break;
        }
      }
    }
    if (!inside) out.push(found);
  }
  return out;
}

function errorsOf(node, out = []) {
  if (!node.hasError) return out;
  if (node.type === 'ERROR' || node.isMissing) {
    out.push({
      line: node.startPosition.row + 1,
      column: node.startPosition.column + 1,
      kind: node.isMissing ? `MISSING ${node.type}` : 'ERROR',
      text: node.text.slice(0, 80),
    });
  }
  for (const child of children(node)) errorsOf(child, out);
  return out;
}

function attributeFacts(attribute) {
  const nameNode = children(attribute).find((c) => c.type === 'attribute_name' || c.type === 'type_spec');
  let name = nameNode ? nameNode.text : attribute.text;
  const typeLiteral = children(attribute).find((c) => c.type === 'type_literal');
  if (!nameNode && typeLiteral) name = typeLiteral.text.replace(/^\[|\]$/g, '');
  const args = [];
  const argList = children(attribute).find((c) => c.type === 'attribute_arguments');
  if (argList) {
    for (const arg of children(argList).filter((c) => c.type === 'attribute_argument')) {
      const simple = children(arg).find((c) => c.type === 'simple_name');
      args.push(simple ? simple.text : arg.text);
    }
  }
  return { name, arguments: args };
}

function paramBlockFacts(block) {
  if (!block) return null;
  const attributes = [];
  const attributeList = children(block).find((c) => c.type === 'attribute_list');
  if (attributeList) {
    for (const attribute of children(attributeList).filter((c) => c.type === 'attribute')) {
      attributes.push(attributeFacts(attribute));
    }
  }
  const parameters = [];
  const parameterList = children(block).find((c) => c.type === 'parameter_list');
  if (parameterList) {
    for (const parameter of children(parameterList).filter((c) => c.type === 'script_parameter')) {
      const variable = children(parameter).find((c) => c.type === 'variable');
      if (variable) parameters.push(variable.text.replace(/^\$/, ''));
    }
  }
  return { attributes, parameters };
}

function commandFacts(command) {
  const name = children(command).find((c) => c.type === 'command_name');
  const elements = children(command).find((c) => c.type === 'command_elements');
  return {
    name: name ? name.text : '',
    elements: elements ? elements.text : '',
    line: command.startPosition.row + 1,
  };
}

function statementsOf(program) {
  const list = children(program).find((c) => c.type === 'statement_list');
  return list ? children(list) : [];
}

function analyse(path) {
  const source = readFileSync(path, 'utf8');
  const tree = parser.parse(source);
  const program = tree.rootNode;
  const top = children(program);
  const blockIndex = top.findIndex((c) => c.type === 'param_block');
  const leading = (blockIndex >= 0 ? top.slice(0, blockIndex) : top)
    .filter((c) => c.type === 'comment')
    .map((c) => c.text);

  const topLevelCommands = [];
  const topLevelAssignments = [];
  for (const statement of statementsOf(program)) {
    for (const command of descendants(statement, 'command', [], ['function_statement', 'script_block'])) {
      topLevelCommands.push(commandFacts(command));
    }
    if (statement.type === 'pipeline') {
      const assignment = children(statement).find((c) => c.type === 'assignment_expression');
      if (assignment) {
        const left = children(assignment).find((c) => c.type === 'left_assignment_expression');
        const right = children(assignment).find((c) => c.type === 'pipeline');
        topLevelAssignments.push({ left: left ? left.text : '', right: right ? right.text : '' });
      }
    }
  }

  const functions = [];
  for (const fn of descendants(program, 'function_statement')) {
    const name = children(fn).find((c) => c.type === 'function_name');
    const body = children(fn).find((c) => c.type === 'script_block');
    // Help may stand before the function, right after its opening brace (where the
    // grammar attaches it to the function statement), or inside the body.
    const helpComments = [];
    const before = fn.previousNamedSibling;
    if (before && before.type === 'comment') helpComments.push(before.text);
    for (const c of children(fn).filter((c) => c.type === 'comment')) helpComments.push(c.text);
    if (body) {
      for (const c of descendants(body, 'comment', [], ['function_statement'])) helpComments.push(c.text);
    }
    let parameters = [];
    if (body) {
      const block = children(body).find((c) => c.type === 'param_block');
      const facts = paramBlockFacts(block);
      if (facts) parameters = facts.parameters;
    }
    functions.push({ name: name ? name.text : '', helpComments, parameters });
  }

  return {
    file: path,
    errors: errorsOf(program),
    leadingComments: leading,
    paramBlock: paramBlockFacts(blockIndex >= 0 ? top[blockIndex] : null),
    topLevelCommands,
    topLevelAssignments,
    functions,
    commands: descendants(program, 'command').map(commandFacts),
  };
}

const files = process.argv.slice(2);
if (files.length === 0) {
  process.stderr.write('usage: node parse.mjs FILE...\n');
  process.exit(2);
}
process.stdout.write(JSON.stringify(files.map(analyse), null, 1));
process.stdout.write('\n');
