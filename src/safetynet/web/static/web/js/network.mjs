// Network view: Cytoscape.js draws people, places and events around a person from a JSON
// endpoint. The container names the data URL and the library URL in data attributes, so the
// page needs no inline script and the library loads only where a network is shown.
const STYLE = [
  { selector: "node", style: { label: "data(label)", "font-size": 11, "text-wrap": "wrap", "text-max-width": 120, color: "#0b0c0c" } },
  { selector: "node[kind = 'person']", style: { "background-color": "#1d70b8", shape: "ellipse" } },
  { selector: "node[kind = 'person'][?child]", style: { "background-color": "#28a197" } },
  { selector: "node[?flagged]", style: { "border-width": 4, "border-color": "#d4351c" } },
  { selector: "node[kind = 'group']", style: { "background-color": "#f3f2f1", "border-width": 2, "border-color": "#505a5f", shape: "round-rectangle", width: 60, height: 30, "font-weight": "bold" } },
  { selector: "node[?hidden]", style: { "background-color": "#b1b4b6", color: "#505a5f" } },
  { selector: "node[?subject]", style: { "background-color": "#d4351c", width: 40, height: 40, "font-weight": "bold" } },
  { selector: "node[kind = 'place']", style: { "background-color": "#00703c", shape: "round-rectangle" } },
  { selector: "node[kind = 'event']", style: { "background-color": "#f47738", shape: "diamond", width: 16, height: 16, "font-size": 9, color: "#505a5f" } },
  { selector: "edge", style: { width: 2, "line-color": "#b1b4b6", "curve-style": "bezier", label: "data(label)", "font-size": 9, color: "#505a5f" } },
  { selector: "edge[kind = 'association']", style: { "line-color": "#4c2c92", width: 3 } },
  { selector: "edge[kind = 'co_location']", style: { "line-color": "#f47738", "line-style": "dashed" } },
  // The readable network (web/network.html): links carry flags rather than kinds.
  { selector: "edge[kind = 'together']", style: { "line-color": "#f47738" } },
  { selector: "edge[?co_location]", style: { "line-style": "dashed" } },
  { selector: "edge[?adult_child]", style: { "line-color": "#d4351c" } },
  { selector: "edge[?intimate_adult_child]", style: { "line-color": "#d4351c", width: 6 } },
  { selector: "edge[kind = 'group']", style: { "line-color": "#b1b4b6", "line-style": "solid" } },
];

export async function initNetworks(root) {
  const containers = root.querySelectorAll ? root.querySelectorAll("[data-sn-network]") : [];
  for (const container of containers) {
    if (container.dataset.snNetworkReady) continue;
    container.dataset.snNetworkReady = "loading";
    try {
      const [{ default: cytoscape }, response] = await Promise.all([
        import(container.dataset.cytoscapeSrc),
        fetch(container.dataset.snNetwork, { credentials: "same-origin", headers: { Accept: "application/json" } }),
      ]);
      if (!response.ok) throw new Error(`network data: HTTP ${response.status}`);
      const data = await response.json();
      const cy = cytoscape({
        container,
        elements: [...data.nodes.map((n) => ({ data: n })), ...data.edges.map((e) => ({ data: e }))],
        style: STYLE,
        layout: { name: "cose", animate: false, randomize: false, nodeRepulsion: () => 40000, idealEdgeLength: () => 110, nodeDimensionsIncludeLabels: true, padding: 20 },
      });
      cy.on("tap", "node", (event) => {
        const href = event.target.data("href");
        if (href) window.location.assign(href);
      });
      container.dataset.snNetworkReady = "ready";
      container.dataset.nodes = String(data.nodes.length);
      container.dataset.groups = String((data.groups || []).length);
    } catch (error) {
      container.dataset.snNetworkReady = "failed";
      const message = document.createElement("p");
      message.className = "govuk-body govuk-!-padding-3";
      message.textContent = "The network could not be drawn. The relationships table below lists the same links.";
      container.replaceChildren(message);
    }
  }
}
