// Run in the page by tests/e2e/test_contrast.py: the effective colours of one element and
// its contrast ratios (WCAG 2.2 relative luminance), backgrounds alpha-composed up the ancestors.
(element) => {
  const parse = (text) => {
    const m = text.match(/rgba?\(([^)]+)\)/);
    if (!m) return [0, 0, 0, 0];
    const p = m[1].split(/[ ,\/]+/).filter(Boolean).map(Number);
    return [p[0], p[1], p[2], p.length > 3 ? p[3] : 1];
  };
  const over = (top, bottom) => {
    const a = top[3] + bottom[3] * (1 - top[3]);
    if (a === 0) return [0, 0, 0, 0];
    return [0, 1, 2].map(i => (top[i] * top[3] + bottom[i] * bottom[3] * (1 - top[3])) / a).concat([a]);
  };
  const behind = (node) => {
    const layers = [];
    for (let n = node; n && n.nodeType === 1; n = n.parentElement) {
      layers.push(parse(getComputedStyle(n).backgroundColor));
    }
    let colour = [255, 255, 255, 1];
    for (const layer of layers.reverse()) colour = over(layer, colour);
    return colour;
  };
  const luminance = (c) => {
    const [r, g, b] = c.slice(0, 3).map(v => {
      v = v / 255;
      return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4);
    });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };
  const ratio = (a, b) => {
    const [x, y] = [luminance(a), luminance(b)].sort((p, q) => q - p);
    return (x + 0.05) / (y + 0.05);
  };
  const style = getComputedStyle(element);
  const background = behind(element);
  const page = element.parentElement ? behind(element.parentElement) : [255, 255, 255, 1];
  const text = over(parse(style.color), background);
  const size = parseFloat(style.fontSize);
  const bold = parseInt(style.fontWeight, 10) >= 700;
  const own = parse(style.backgroundColor);
  const borderWidth = parseFloat(style.borderTopWidth);
  const border = over(parse(style.borderTopColor), page);
  const edges = [];
  if (own[3] > 0) edges.push(ratio(over(own, page), page));
  if (borderWidth >= 1 && style.borderTopStyle !== "none") edges.push(ratio(border, page));
  const shadow = style.boxShadow.match(/rgba?\([^)]+\)/);  // the focus bar under a button
  if (shadow) edges.push(ratio(over(parse(shadow[0]), page), page));
  const outline = parseFloat(style.outlineWidth);
  if (outline >= 2 && style.outlineStyle !== "none") edges.push(ratio(over(parse(style.outlineColor), page), page));
  return {
    text: ratio(text, background),
    large: size >= 24 || (bold && size >= 18.66),
    edge: edges.length ? Math.max(...edges) : null,
    filled: own[3] > 0 && element.tagName !== "A",
    // Native radios and checkboxes are drawn by Chromium itself (#767676, 4.5:1 on white),
    // outside the computed styles: their edge is not ours to measure.
    field: ["INPUT", "SELECT", "TEXTAREA"].includes(element.tagName)
      && !(["radio", "checkbox"].includes(element.type) && style.appearance === "auto"),
    label: (element.innerText || element.value || element.name || element.tagName).trim().slice(0, 40),
    colours: style.color + " on " + "rgb(" + background.slice(0, 3).map(Math.round).join(",") + ")",
  };
}
