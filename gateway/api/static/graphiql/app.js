// The gateway's GraphiQL page: GraphiQL, React and the explorer plugin are served by the gateway
// itself (gateway/api/static/graphiql, vendored from npm), so the page works with no internet. The
// editor opens with the tabs the page lists in #graphiql-config (a perp query, a subscription).
(function () {
  "use strict";
  var config = JSON.parse(document.getElementById("graphiql-config").textContent);
  var container = document.getElementById("graphiql");
  var url = window.location.href.split(/[?#]/)[0];
  var fetcher = GraphiQL.createFetcher({
    url: url,
    subscriptionUrl: url.replace(/^http/, "ws"), // graphql-transport-ws on the same path
  });
  // GraphiQL parses the editor's text 100 ms after a change (and after a tab switch); until then
  // Run uses the previous document. `data-operations` names the operations it has parsed, so a
  // script (the browser test) can tell when GraphiQL has caught up.
  function onEditQuery(query, documentAST) {
    var names = ((documentAST && documentAST.definitions) || [])
      .filter(function (d) { return d.kind === "OperationDefinition"; })
      .map(function (d) { return d.operation + ":" + (d.name ? d.name.value : ""); });
    container.dataset.operations = names.join(" ");
  }
  ReactDOM.createRoot(container).render(
    React.createElement(GraphiQL, {
      fetcher: fetcher,
      plugins: [GraphiQLPluginExplorer.explorerPlugin()],
      defaultTabs: config.tabs,
      onEditQuery: onEditQuery,
      defaultEditorToolsVisibility: true,
      isHeadersEditorEnabled: true,
      inputValueDeprecation: true,
    }),
  );
})();
