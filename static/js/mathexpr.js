/* A small, safe expression parser for the Math tools: recursive descent to a tree of closures.
   Nothing is ever passed to eval or new Function, so it runs under the site's strict CSP.

   MathExpr.compile("2x^2 + 3(x - 1)") returns a function of an environment {x, ans, degrees}.
   Grammar (lowest precedence first):
     sum     := product (("+" | "-") product)*
     product := unary (("*" | "/") unary | implicit)*    implicit: 2x, 3(x+1), (x+1)(x-1), 2sqrt(x)
     unary   := ("-" | "+") unary | power
     power   := primary ("^" unary)?                      right-associative: 2^3^2 = 2^9, -x^2 = -(x^2)
     primary := number | constant | "x" | "ans" | name "(" sum ")" | "(" sum ")"
   Errors are MathExpr.ParseError with a message a learner can act on and the character position. */
(function (global) {
  "use strict";

  function ParseError(message, position) {
    this.name = "ParseError";
    this.message = message;
    this.position = position;
  }
  ParseError.prototype = Object.create(Error.prototype);
  ParseError.prototype.constructor = ParseError;

  function toRadians(env, value) {
    return env && env.degrees ? (value * Math.PI) / 180 : value;
  }

  function roundTrig(value) {
    // sin(180°) is 1.2e-16 in floating point; learners expect 0.
    return Math.abs(value) < 1e-14 ? 0 : value;
  }

  var FUNCTIONS = {
    sqrt: function (v) { return Math.sqrt(v); },
    abs: function (v) { return Math.abs(v); },
    sin: function (v, env) { return roundTrig(Math.sin(toRadians(env, v))); },
    cos: function (v, env) { return roundTrig(Math.cos(toRadians(env, v))); },
    tan: function (v, env) {
      var c = Math.cos(toRadians(env, v));
      return Math.abs(c) < 1e-14 ? NaN : roundTrig(Math.tan(toRadians(env, v)));
    },
    ln: function (v) { return Math.log(v); },
    log: function (v) { return Math.log10(v); },
    exp: function (v) { return Math.exp(v); }
  };
  var CONSTANTS = { pi: Math.PI, e: Math.E };
  var VARIABLES = { x: "x", ans: "ans" };
  // Longest first, so "exp" is not read as e·x·p and "pix" is pi·x.
  var NAMES = Object.keys(FUNCTIONS).concat(Object.keys(CONSTANTS), Object.keys(VARIABLES)).sort(function (a, b) {
    return b.length - a.length;
  });
  var SYMBOLS = { "×": "*", "·": "*", "÷": "/", "−": "-", "–": "-", "π": "pi" };

  function tokenize(source) {
    var tokens = [];
    var i = 0;
    while (i < source.length) {
      var ch = source[i];
      if (SYMBOLS[ch]) {
        var mapped = SYMBOLS[ch];
        tokens.push(mapped === "pi" ? { type: "name", value: "pi", pos: i } : { type: "op", value: mapped, pos: i });
        i += 1;
        continue;
      }
      if (/\s/.test(ch)) { i += 1; continue; }
      if (/[0-9.]/.test(ch)) {
        var match = /^(\d+\.?\d*|\.\d+)/.exec(source.slice(i));
        if (!match) { throw new ParseError("A lone “.” is not a number.", i); }
        if (source[i + match[0].length] === ".") {
          throw new ParseError("A number has two decimal points.", i);
        }
        tokens.push({ type: "number", value: parseFloat(match[0]), pos: i });
        i += match[0].length;
        continue;
      }
      if (/[a-z]/i.test(ch)) {
        var rest = source.slice(i).toLowerCase();
        var name = null;
        for (var n = 0; n < NAMES.length; n += 1) {
          if (rest.indexOf(NAMES[n]) === 0) { name = NAMES[n]; break; }
        }
        if (!name) {
          var word = /^[a-z]+/i.exec(source.slice(i))[0];
          throw new ParseError("Unknown name “" + word + "”. Use x, pi, e, ans or a function such as sqrt( ).", i);
        }
        tokens.push({ type: "name", value: name, pos: i });
        i += name.length;
        continue;
      }
      if ("+-*/^()".indexOf(ch) !== -1) {
        tokens.push({ type: "op", value: ch, pos: i });
        i += 1;
        continue;
      }
      throw new ParseError("The character “" + ch + "” cannot be used here.", i);
    }
    tokens.push({ type: "end", value: "", pos: source.length });
    return tokens;
  }

  function Parser(source) {
    this.tokens = tokenize(source);
    this.index = 0;
    this.usesX = false;
  }

  Parser.prototype.peek = function () { return this.tokens[this.index]; };
  Parser.prototype.next = function () { return this.tokens[this.index++]; };
  Parser.prototype.isOp = function (value) {
    var token = this.peek();
    return token.type === "op" && token.value === value;
  };
  Parser.prototype.expect = function (value, message) {
    if (!this.isOp(value)) { throw new ParseError(message, this.peek().pos); }
    this.next();
  };

  Parser.prototype.sum = function () {
    var left = this.product();
    while (this.isOp("+") || this.isOp("-")) {
      var op = this.next().value;
      left = binary(op, left, this.product());
    }
    return left;
  };

  Parser.prototype.startsFactor = function () {
    var token = this.peek();
    return token.type === "number" || token.type === "name" || (token.type === "op" && token.value === "(");
  };

  Parser.prototype.product = function () {
    var left = this.unary();
    for (;;) {
      if (this.isOp("*") || this.isOp("/")) {
        var op = this.next().value;
        left = binary(op, left, this.unary());
      } else if (this.startsFactor()) {
        if (this.peek().type === "number" && this.tokens[this.index - 1].type === "number") {
          throw new ParseError("Two numbers in a row: put an operator between them.", this.peek().pos);
        }
        left = binary("*", left, this.power());
      } else {
        return left;
      }
    }
  };

  Parser.prototype.unary = function () {
    if (this.isOp("-")) {
      this.next();
      var operand = this.unary();
      return function (env) { return -operand(env); };
    }
    if (this.isOp("+")) {
      this.next();
      return this.unary();
    }
    return this.power();
  };

  Parser.prototype.power = function () {
    var base = this.primary();
    if (this.isOp("^")) {
      this.next();
      var exponent = this.unary();
      return function (env) { return Math.pow(base(env), exponent(env)); };
    }
    return base;
  };

  Parser.prototype.primary = function () {
    var token = this.next();
    if (token.type === "number") {
      var value = token.value;
      return function () { return value; };
    }
    if (token.type === "name") {
      if (Object.prototype.hasOwnProperty.call(FUNCTIONS, token.value)) {
        var fn = FUNCTIONS[token.value];
        this.expect("(", token.value + " needs parentheses, as in " + token.value + "(x).");
        if (this.isOp(")")) { throw new ParseError(token.value + "( ) is empty.", this.peek().pos); }
        var argument = this.sum();
        this.expect(")", "A “)” is missing after " + token.value + "(….");
        return function (env) { return fn(argument(env), env); };
      }
      if (Object.prototype.hasOwnProperty.call(CONSTANTS, token.value)) {
        var constant = CONSTANTS[token.value];
        return function () { return constant; };
      }
      if (token.value === "x") {
        this.usesX = true;
        return function (env) { return env && typeof env.x === "number" ? env.x : NaN; };
      }
      return function (env) { return env && typeof env.ans === "number" ? env.ans : 0; };
    }
    if (token.type === "op" && token.value === "(") {
      if (this.isOp(")")) { throw new ParseError("Empty parentheses ( ).", this.peek().pos); }
      var inner = this.sum();
      this.expect(")", "A “)” is missing.");
      return inner;
    }
    if (token.type === "end") {
      throw new ParseError("The expression ends too soon: something is missing at the end.", token.pos);
    }
    if (token.value === ")") { throw new ParseError("There is a “)” without a matching “(”.", token.pos); }
    throw new ParseError("“" + token.value + "” needs a number or expression before it.", token.pos);
  };

  function binary(op, left, right) {
    switch (op) {
      case "+": return function (env) { return left(env) + right(env); };
      case "-": return function (env) { return left(env) - right(env); };
      case "*": return function (env) { return left(env) * right(env); };
      default: return function (env) { return left(env) / right(env); };
    }
  }

  /* Compile source text to a function of {x, ans, degrees}; fn.usesX says whether x appears. */
  function compile(source) {
    var text = String(source || "").trim();
    if (!text) { throw new ParseError("Type an expression first.", 0); }
    var parser = new Parser(text);
    var tree = parser.sum();
    var rest = parser.peek();
    if (rest.type !== "end") {
      if (rest.value === ")") { throw new ParseError("There is a “)” without a matching “(”.", rest.pos); }
      throw new ParseError("Unexpected “" + rest.value + "”.", rest.pos);
    }
    var fn = function (env) { return tree(env || {}); };
    fn.usesX = parser.usesX;
    return fn;
  }

  function evaluate(source, env) {
    return compile(source)(env || {});
  }

  /* A number as a learner reads it: ten significant digits, no float noise, "undefined" for NaN. */
  function format(value, digits) {
    if (typeof value !== "number" || !isFinite(value)) { return "undefined"; }
    var rounded = Number(value.toPrecision(digits || 10));
    if (Object.is(rounded, -0)) { rounded = 0; }
    return String(rounded);
  }

  global.MathExpr = { compile: compile, evaluate: evaluate, format: format, ParseError: ParseError };
})(window);
