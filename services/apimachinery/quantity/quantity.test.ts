import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  QUANTITY_ERROR_MESSAGES,
  Quantity,
  QuantityError,
  addQuantity,
  compareQuantity,
  formatQuantity,
  negateQuantity,
  parseQuantity,
  quantityFromMilli,
  quantityFromValue,
  subtractQuantity,
  sumQuantities,
  type QuantityFormat,
} from "./quantity.js";

/** Nanos of `value × 10^scale` (Kubernetes' decQuantity(value, scale, format) in tests). */
function dec(value: number | bigint, scale: number): bigint {
  const v = BigInt(value);
  return scale + 9 >= 0 ? v * 10n ** BigInt(scale + 9) : v / 10n ** BigInt(-(scale + 9));
}
const MAX_BINARY = (2n ** 63n - 1n) * 1_000_000_000n;

describe("quantity - parsing (Kubernetes' TestQuantityParse table)", () => {
  const cases: [string, bigint, QuantityFormat][] = [
    ["0", 0n, "DecimalSI"],
    ["0n", 0n, "DecimalSI"],
    ["0u", 0n, "DecimalSI"],
    ["0m", 0n, "DecimalSI"],
    ["0Ki", 0n, "BinarySI"],
    ["0k", 0n, "DecimalSI"],
    ["0Mi", 0n, "BinarySI"],
    ["0M", 0n, "DecimalSI"],
    ["0Gi", 0n, "BinarySI"],
    ["0G", 0n, "DecimalSI"],
    ["0Ti", 0n, "BinarySI"],
    ["0T", 0n, "DecimalSI"],
    // binary suffixes
    ["1Ki", dec(1024, 0), "BinarySI"],
    ["8Ki", dec(8 * 1024, 0), "BinarySI"],
    ["7Mi", dec(7 * 1024 * 1024, 0), "BinarySI"],
    ["6Gi", dec(6 * 1024 ** 3, 0), "BinarySI"],
    ["5Ti", dec(5 * 1024 ** 4, 0), "BinarySI"],
    ["4Pi", dec(4 * 1024 ** 5, 0), "BinarySI"],
    ["3Ei", dec(3n * 1024n ** 6n, 0), "BinarySI"],
    ["10Ti", dec(10 * 1024 ** 4, 0), "BinarySI"],
    ["100Ti", dec(100 * 1024 ** 4, 0), "BinarySI"],
    // decimal suffixes
    ["5n", dec(5, -9), "DecimalSI"],
    ["4u", dec(4, -6), "DecimalSI"],
    ["3m", dec(3, -3), "DecimalSI"],
    ["9", dec(9, 0), "DecimalSI"],
    ["8k", dec(8, 3), "DecimalSI"],
    ["50k", dec(5, 4), "DecimalSI"],
    ["7M", dec(7, 6), "DecimalSI"],
    ["6G", dec(6, 9), "DecimalSI"],
    ["5T", dec(5, 12), "DecimalSI"],
    ["40T", dec(4, 13), "DecimalSI"],
    ["300T", dec(3, 14), "DecimalSI"],
    ["2P", dec(2, 15), "DecimalSI"],
    ["1E", dec(1, 18), "DecimalSI"],
    // decimal exponents
    ["1E-3", dec(1, -3), "DecimalExponent"],
    ["1e3", dec(1, 3), "DecimalExponent"],
    ["1E6", dec(1, 6), "DecimalExponent"],
    ["1e9", dec(1, 9), "DecimalExponent"],
    ["1E12", dec(1, 12), "DecimalExponent"],
    ["1e15", dec(1, 15), "DecimalExponent"],
    ["1E18", dec(1, 18), "DecimalExponent"],
    ["1e14", dec(1, 14), "DecimalExponent"],
    ["1e13", dec(1, 13), "DecimalExponent"],
    ["100.035k", dec(100035, 0), "DecimalSI"],
    // things that look like floating point
    ["0.001", dec(1, -3), "DecimalSI"],
    ["0.0005k", dec(5, -1), "DecimalSI"],
    ["0.005", dec(5, -3), "DecimalSI"],
    ["0.05", dec(5, -2), "DecimalSI"],
    ["0.5", dec(5, -1), "DecimalSI"],
    ["0.00050k", dec(5, -1), "DecimalSI"],
    ["0.00500", dec(5, -3), "DecimalSI"],
    ["0.05000", dec(5, -2), "DecimalSI"],
    ["0.50000", dec(5, -1), "DecimalSI"],
    ["0.5e0", dec(5, -1), "DecimalExponent"],
    ["0.5e-1", dec(5, -2), "DecimalExponent"],
    ["0.5e-2", dec(5, -3), "DecimalExponent"],
    ["10.035M", dec(10035, 3), "DecimalSI"],
    ["1.2e3", dec(12, 2), "DecimalExponent"],
    ["1.3E+6", dec(13, 5), "DecimalExponent"],
    ["1.40e9", dec(14, 8), "DecimalExponent"],
    ["1.53E12", dec(153, 10), "DecimalExponent"],
    ["1.6e15", dec(16, 14), "DecimalExponent"],
    ["1.7E18", dec(17, 17), "DecimalExponent"],
    ["9.01", dec(901, -2), "DecimalSI"],
    ["8.1k", dec(81, 2), "DecimalSI"],
    ["7.123456M", dec(7123456, 0), "DecimalSI"],
    ["6.987654321G", dec(6987654321, 0), "DecimalSI"],
    ["5.444T", dec(5444, 9), "DecimalSI"],
    ["40.1T", dec(401, 11), "DecimalSI"],
    ["300.2T", dec(3002, 11), "DecimalSI"],
    ["2.5P", dec(25, 14), "DecimalSI"],
    ["1.01E", dec(101, 16), "DecimalSI"],
    // things that saturate or round (up, to 1n)
    ["3.001n", dec(4, -9), "DecimalSI"],
    ["1.1E-9", dec(2, -9), "DecimalExponent"],
    ["0.0000000001", dec(1, -9), "DecimalSI"],
    ["0.0000000005", dec(1, -9), "DecimalSI"],
    ["0.00000000050", dec(1, -9), "DecimalSI"],
    ["0.5e-9", dec(1, -9), "DecimalExponent"],
    ["0.9n", dec(1, -9), "DecimalSI"],
    ["0.00000012345", dec(124, -9), "DecimalSI"],
    ["0.00000012354", dec(124, -9), "DecimalSI"],
    ["9Ei", MAX_BINARY, "BinarySI"],
    ["9223372036854775807Ki", MAX_BINARY, "BinarySI"],
    ["12E", dec(12, 18), "DecimalSI"],
    // fractional binary values
    ["100.035Ki", dec(10243584, -2), "BinarySI"],
    ["0.5Mi", dec(0.5 * 1024 * 1024, 0), "BinarySI"],
    ["0.05Gi", dec(536870912, -1), "BinarySI"],
    ["0.025Ti", dec(274877906944, -1), "BinarySI"],
    // things written by trolls
    ["0.000000000001Ki", dec(2, -9), "DecimalSI"],
    [".001", dec(1, -3), "DecimalSI"],
    [".0001k", dec(100, -3), "DecimalSI"],
    ["1.", dec(1, 0), "DecimalSI"],
    ["1.G", dec(1, 9), "DecimalSI"],
    // signs
    ["-1", dec(-1, 0), "DecimalSI"],
    ["+1", dec(1, 0), "DecimalSI"],
    ["-100m", dec(-100, -3), "DecimalSI"],
    ["-3.001n", dec(-4, -9), "DecimalSI"],
    ["-1.5Gi", dec(-1536 * 1024 * 1024, 0), "BinarySI"],
    ["-9Ei", -MAX_BINARY, "BinarySI"],
    // large decimal values are not capped
    ["9223372036854775808", 9223372036854775808n * 1_000_000_000n, "DecimalSI"],
    ["1e30", dec(1, 30), "DecimalExponent"],
  ];
  for (const [input, nanos, format] of cases) {
    it(`${input}`, () => {
      const q = parseQuantity(input);
      assert.equal(q.nanos, nanos);
      assert.equal(q.format, format);
    });
  }

  it("JSON numbers parse as their decimal text", () => {
    assert.equal(parseQuantity(2).toString(), "2");
    assert.equal(parseQuantity(0.5).toString(), "500m");
    assert.equal(parseQuantity(1e21).toString(), "1e+21");
    assert.equal(parseQuantity(1e21).nanos, dec(1, 21));
    assert.equal(parseQuantity(-0.25).toString(), "-250m");
  });
});

describe("quantity - invalid inputs are QuantityErrors with Kubernetes' messages", () => {
  const { formatWrong, numeric, suffix } = QUANTITY_ERROR_MESSAGES;
  const cases: [string | number, string][] = [
    ["", formatWrong],
    ["1.1.M", formatWrong],
    ["1+1.0M", formatWrong],
    ["0.1mi", suffix],
    ["0.1am", formatWrong],
    ["aoeu", formatWrong],
    [".5i", suffix],
    ["1i", suffix],
    ["-3.01i", suffix],
    ["-3.01e-", suffix],
    [" 1", formatWrong],
    ["1 ", formatWrong],
    ["1ki", suffix],
    ["1KB", formatWrong],
    ["1e", suffix],
    ["1ee3", suffix],
    ["1e3.5", formatWrong],
    ["1Mi5", suffix],
    ["1e99999999999999999999", suffix],
    ["1e1001", suffix],
    ["--1", suffix],
    ["1--1", formatWrong],
    ["1,000", formatWrong],
    ["١", formatWrong],
    [`1${"0".repeat(2000)}`, numeric],
    [Number.NaN, formatWrong],
    [Number.POSITIVE_INFINITY, formatWrong],
  ];
  for (const [input, message] of cases) {
    it(`refuses ${JSON.stringify(typeof input === "string" && input.length > 40 ? `${input.slice(0, 20)}…` : String(input))}`, () => {
      assert.throws(() => parseQuantity(input), (err: unknown) => err instanceof QuantityError && err.message === message);
    });
  }

  it("non-string, non-number inputs are QuantityErrors", () => {
    for (const v of [null, undefined, {}, [], true]) assert.throws(() => parseQuantity(v as unknown as string), QuantityError);
  });

  it("Kubernetes' quirks: a lone sign or dot reads as zero", () => {
    for (const s of ["-", "+", ".", "-.", "00", "-0"]) assert.equal(parseQuantity(s).isZero(), true, s);
  });

  it("random strings only ever raise QuantityError, and what parses prints as a quantity that parses back equal", () => {
    const alphabet = "0123456789.+-eEinumkKMGTPx ";
    let seed = 7;
    const rand = (n: number) => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % n;
    };
    for (let i = 0; i < 5000; i++) {
      let s = "";
      const len = 1 + rand(8);
      for (let j = 0; j < len; j++) s += alphabet[rand(alphabet.length)];
      let q: Quantity;
      try {
        q = parseQuantity(s);
      } catch (err) {
        assert.ok(err instanceof QuantityError, `${JSON.stringify(s)} threw ${String(err)}`);
        continue;
      }
      const again = parseQuantity(q.toString());
      assert.equal(compareQuantity(again, q), 0, `${JSON.stringify(s)} → ${q.toString()}`);
    }
  });
});

describe("quantity - canonical form (Kubernetes' TestQuantityString table)", () => {
  const cases: [bigint, QuantityFormat, string, string?][] = [
    [dec(1024 * 1024 * 1024, 0), "BinarySI", "1Gi", "1024Mi"],
    [dec(300 * 1024 * 1024, 0), "BinarySI", "300Mi", "307200Ki"],
    [dec(6 * 1024, 0), "BinarySI", "6Ki"],
    [dec(1001 * 1024 * 1024 * 1024, 0), "BinarySI", "1001Gi", "1025024Mi"],
    [dec(1024 * 1024 * 1024 * 1024, 0), "BinarySI", "1Ti", "1024Gi"],
    [dec(5, 0), "BinarySI", "5", "5000m"],
    [dec(500, -3), "BinarySI", "500m", "0.5"],
    [dec(1, 9), "DecimalSI", "1G", "1000M"],
    [dec(1000, 6), "DecimalSI", "1G", "0.001T"],
    [dec(1000000, 3), "DecimalSI", "1G"],
    [dec(1000000000, 0), "DecimalSI", "1G"],
    [dec(1, -3), "DecimalSI", "1m", "1000u"],
    [dec(80, -3), "DecimalSI", "80m"],
    [dec(1080, -3), "DecimalSI", "1080m", "1.08"],
    [dec(108, -2), "DecimalSI", "1080m", "1080000000n"],
    [dec(10800, -4), "DecimalSI", "1080m"],
    [dec(300, 6), "DecimalSI", "300M"],
    [dec(1, 12), "DecimalSI", "1T"],
    [dec(1234567, 6), "DecimalSI", "1234567M"],
    [dec(1234567, -3), "BinarySI", "1234567m"],
    [dec(3, 3), "DecimalSI", "3k"],
    [dec(1025, 0), "BinarySI", "1025"],
    [0n, "DecimalSI", "0"],
    [0n, "BinarySI", "0"],
    [dec(1, 9), "DecimalExponent", "1e9", ".001e12"],
    [dec(1, -3), "DecimalExponent", "1e-3", "0.001e0"],
    [dec(1, -9), "DecimalExponent", "1e-9", "1000e-12"],
    [dec(80, -3), "DecimalExponent", "80e-3"],
    [dec(300, 6), "DecimalExponent", "300e6"],
    [dec(1, 12), "DecimalExponent", "1e12"],
    [dec(1, 3), "DecimalExponent", "1e3"],
    [dec(3, 3), "DecimalExponent", "3e3"],
    [0n, "DecimalExponent", "0", "00"],
    [dec(1, -9), "DecimalSI", "1n"],
    [dec(80, -9), "DecimalSI", "80n"],
    [dec(1080, -9), "DecimalSI", "1080n"],
    [dec(1, -6), "DecimalSI", "1u"],
    [dec(80, -6), "DecimalSI", "80u"],
    [dec(1080, -6), "DecimalSI", "1080u"],
    [dec(-1080, -3), "DecimalSI", "-1080m", "-1.08"],
    [dec(-1536 * 1024 * 1024, 0), "BinarySI", "-1536Mi", "-1.5Gi"],
    [dec(1536, 0), "BinarySI", "1536", "1.5Ki"],
    [dec(11264, -1), "BinarySI", "1126400m", "1.1Ki"],
    [MAX_BINARY, "BinarySI", "9223372036854775807", "8Ei"],
    [dec(1000, 18), "DecimalSI", "1000E"],
    [dec(1, 21), "DecimalExponent", "1e21", "1000e18"],
  ];
  for (const [nanos, format, expected, alternate] of cases) {
    it(`${format} ${nanos}n prints as ${expected}${alternate ? `; ${alternate} also prints as ${expected}` : ""}`, () => {
      assert.equal(formatQuantity(new Quantity(nanos, format)), expected);
      assert.equal(parseQuantity(expected).toString(), expected);
      assert.equal(parseQuantity(expected).nanos, nanos);
      if (alternate) assert.equal(parseQuantity(alternate).toString(), expected);
    });
  }

  it("canonical inputs print back as given, as Kubernetes keeps their text", () => {
    for (const s of ["100m", "1", "128Mi", "1500m", "250m", "2Gi", "+1", "01", "1.G", "1e3", "1E3", "3Ki", "007Ki", "-100m"]) {
      assert.equal(parseQuantity(s).toString(), s);
    }
  });

  it("non-canonical inputs print canonically", () => {
    const cases: [string, string][] = [
      ["1.5", "1500m"],
      ["1.5Gi", "1536Mi"],
      ["1000", "1k"],
      ["0.1", "100m"],
      ["1024Ki", "1Mi"],
      ["8Mi", "8Mi"],
      ["1.0", "1"],
      ["1000m", "1"],
      ["0.5Ki", "512"],
      ["1000e0", "1e3"],
      ["2048Mi", "2Gi"],
      ["10Gi", "10Gi"],
      ["12345678912345678912", "12345678912345678912"],
      ["+1000", "1k"],
    ];
    for (const [input, canonical] of cases) assert.equal(parseQuantity(input).toString(), canonical, input);
  });

  it("toJSON is the string form", () => {
    assert.equal(JSON.stringify({ cpu: parseQuantity("1.5") }), '{"cpu":"1500m"}');
  });
});

describe("quantity - values and arithmetic", () => {
  const values: [string, number, number][] = [
    // input, value() (rounded up away from zero), milliValue()
    ["100m", 1, 100],
    ["1.5", 2, 1500],
    ["1", 1, 1000],
    ["1n", 1, 1],
    ["1500m", 2, 1500],
    ["128Mi", 134217728, 134217728000],
    ["1Ki", 1024, 1024000],
    ["-1.5", -2, -1500],
    ["-1n", -1, -1],
    ["0", 0, 0],
    ["2.0001m", 1, 3],
    ["1e3", 1000, 1000000],
  ];
  for (const [input, value, milli] of values) {
    it(`${input}: value ${value}, milliValue ${milli}`, () => {
      const q = parseQuantity(input);
      assert.equal(q.value(), value);
      assert.equal(q.milliValue(), milli);
      assert.equal(q.valueBig(), BigInt(value));
      assert.equal(q.milliValueBig(), BigInt(milli));
    });
  }

  it("compares exactly across formats", () => {
    const cmp = (a: string, b: string) => compareQuantity(parseQuantity(a), parseQuantity(b));
    assert.equal(cmp("1", "1000m"), 0);
    assert.equal(cmp("1Ki", "1024"), 0);
    assert.equal(cmp("1Ki", "1k"), 1);
    assert.equal(cmp("999m", "1"), -1);
    assert.equal(cmp("1e3", "1k"), 0);
    assert.equal(cmp("-1", "0"), -1);
    assert.equal(cmp("1n", "0"), 1);
    assert.equal(cmp("9223372036854775808", "8Ei"), 1);
  });

  it("adds and subtracts exactly; the result takes the first non-zero operand's format", () => {
    const add = (a: string, b: string) => addQuantity(parseQuantity(a), parseQuantity(b));
    assert.equal(add("100m", "1.5").toString(), "1600m");
    assert.equal(add("250m", "250m").toString(), "500m");
    assert.equal(add("500m", "500m").toString(), "1");
    assert.equal(add("1Gi", "512Mi").toString(), "1536Mi");
    assert.equal(add("0", "1Gi").toString(), "1Gi");
    assert.equal(add("0", "1Gi").format, "BinarySI");
    assert.equal(add("1", "1Ki").toString(), "1025");
    assert.equal(add("1Ki", "1").toString(), "1025");
    assert.equal(add("0.1", "0.2").toString(), "300m");
    assert.equal(add("1n", "1n").toString(), "2n");
    assert.equal(add("8Ei", "8Ei").toString(), "18446744073709551614");
    assert.equal(subtractQuantity(parseQuantity("1"), parseQuantity("100m")).toString(), "900m");
    assert.equal(subtractQuantity(parseQuantity("1Gi"), parseQuantity("1Gi")).toString(), "0");
    assert.equal(subtractQuantity(parseQuantity("0"), parseQuantity("1Mi")).toString(), "-1Mi");
    assert.equal(negateQuantity(parseQuantity("1.5")).toString(), "-1500m");
  });

  it("sums a pod's container requests, as the scheduler does", () => {
    const cpu = sumQuantities(["100m", "250m", "0.5", "1"].map((s) => parseQuantity(s)));
    assert.equal(cpu.toString(), "1850m");
    assert.equal(cpu.milliValue(), 1850);
    const memory = sumQuantities(["64Mi", "128Mi", "1Gi"].map((s) => parseQuantity(s)));
    assert.equal(memory.toString(), "1216Mi");
    assert.equal(compareQuantity(memory, parseQuantity("2Gi")) < 0, true);
    assert.equal(sumQuantities([]).toString(), "0");
  });

  it("builds quantities from milli and unit counts", () => {
    assert.equal(quantityFromMilli(1500).toString(), "1500m");
    assert.equal(quantityFromMilli(2000).toString(), "2");
    assert.equal(quantityFromValue(1024 * 1024, "BinarySI").toString(), "1Mi");
    assert.equal(quantityFromValue(5n).toString(), "5");
    assert.throws(() => quantityFromMilli(1.5), QuantityError);
    assert.throws(() => quantityFromValue(Number.MAX_SAFE_INTEGER * 2), QuantityError);
  });

  it("arithmetic never mutates its operands", () => {
    const a = parseQuantity("1");
    const b = parseQuantity("2");
    addQuantity(a, b);
    subtractQuantity(a, b);
    assert.equal(a.toString(), "1");
    assert.equal(b.toString(), "2");
  });
});
