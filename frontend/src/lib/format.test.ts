import { describe, expect, it } from "vitest";
import { safeNext } from "./auth";
import { formatPrice, parseMoneyToCents, pluralize } from "./format";
import { decodeJwt } from "./jwt";
import { flatLessons, orderedModules } from "./learning";

describe("money and text", () => {
  it("formats prices, free when 0", () => {
    expect(formatPrice(0, "USD")).toBe("Free");
    expect(formatPrice(1999, "USD")).toBe("$19.99");
    expect(formatPrice(500, "XYZ")).toMatch(/5\.00/);
  });

  it("parses typed amounts to cents", () => {
    expect(parseMoneyToCents("19.99")).toBe(1999);
    expect(parseMoneyToCents("19,5")).toBe(1950);
    expect(parseMoneyToCents("")).toBe(0);
    expect(parseMoneyToCents("abc")).toBeNull();
    expect(parseMoneyToCents("-1")).toBeNull();
    expect(parseMoneyToCents("1.999")).toBeNull();
  });

  it("pluralizes", () => {
    expect(pluralize(1, "lesson")).toBe("1 lesson");
    expect(pluralize(2, "lesson")).toBe("2 lessons");
    expect(pluralize(1200, "course")).toBe("1,200 courses");
  });
});

describe("safeNext", () => {
  const origin = "http://app.example";

  it("keeps an in-app path with its query and fragment", () => {
    expect(safeNext("/courses/view/?id=1#reviews", "/", origin)).toBe("/courses/view/?id=1#reviews");
  });

  it("falls back when there is no next", () => {
    expect(safeNext(null, "/x", origin)).toBe("/x");
  });

  it.each([
    ["protocol-relative", "//evil.example/"],
    ["tab inside the slashes", "/\t/evil.example/"],
    ["newline inside the slashes", "/\n/evil.example/"],
    ["carriage return inside the slashes", "/\r/evil.example/"],
    ["backslash for a slash", "/\\evil.example/"],
    ["two backslashes", "\\\\evil.example/"],
    ["an absolute URL", "https://evil.example/"],
    ["a javascript: URL", "javascript:alert(1)"],
    ["a data: URL", "data:text/html,<script>alert(1)</script>"],
    ["same scheme without slashes", "http:evil.example"],
    ["a leading space", " //evil.example/"],
    ["an encoded path that is not a path", "%2F%2Fevil.example%2F"],
  ])("refuses %s", (_case, next) => {
    expect(safeNext(next, "/home", origin)).toBe("/home");
  });

  it("keeps a double-encoded path on the site, as a path", () => {
    expect(safeNext("/%2F%2Fevil.example", "/", origin)).toBe("/%2F%2Fevil.example");
  });
});

describe("jwt display decoding", () => {
  it("reads the payload of a base64url token and tolerates garbage", () => {
    const payload = Buffer.from(JSON.stringify({ sub: "u1", name: "Zoë", role: "teacher", is_verified: false })).toString("base64url");
    expect(decodeJwt(`h.${payload}.s`)).toMatchObject({ sub: "u1", name: "Zoë", role: "teacher" });
    expect(decodeJwt("not-a-token")).toBeNull();
    expect(decodeJwt("a.%%%.c")).toBeNull();
  });
});

describe("curriculum order and progress", () => {
  it("orders modules and lessons by position", () => {
    const mods = orderedModules({
      course_id: "c",
      modules: [
        { id: "m2", course_id: "c", title: "B", position: 2, lessons: [] },
        {
          id: "m1",
          course_id: "c",
          title: "A",
          position: 1,
          lessons: [
            { id: "l2", module_id: "m1", course_id: "c", title: "y", duration_minutes: 1, position: 2, is_preview: false },
            { id: "l1", module_id: "m1", course_id: "c", title: "x", duration_minutes: 1, position: 1, is_preview: false },
          ],
        },
      ],
    });
    expect(mods.map((m) => m.id)).toEqual(["m1", "m2"]);
    expect(flatLessons(mods).map((l) => l.id)).toEqual(["l1", "l2"]);
  });
});
