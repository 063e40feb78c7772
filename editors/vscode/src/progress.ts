/** Shows the server's work-done progress as cancellable notifications (not just the status bar). */

import * as vscode from "vscode";
import {
  type BaseLanguageClient,
  type ProgressToken,
  WorkDoneProgress,
  type WorkDoneProgressBegin,
  WorkDoneProgressCancelNotification,
  WorkDoneProgressCreateRequest,
} from "vscode-languageclient";

/** Displays one progress token's begin/report/end as a notification with a Cancel button. */
export function showProgress(
  client: BaseLanguageClient,
  token: ProgressToken,
  fallbackTitle = "howto-ls",
): vscode.Disposable {
  let finish: (() => void) | undefined;
  let finished = false;
  let progress: vscode.Progress<{ message?: string; increment?: number }> | undefined;
  let lastPercentage = 0;

  const report = (message: string | undefined, percentage: number | undefined): void => {
    const increment =
      percentage === undefined ? undefined : Math.max(0, percentage - lastPercentage);
    if (percentage !== undefined) {
      lastPercentage = Math.max(lastPercentage, percentage);
    }
    progress?.report({ message, increment });
  };

  const begin = (value: WorkDoneProgressBegin): void => {
    void vscode.window.withProgress(
      {
        location: vscode.ProgressLocation.Notification,
        title: value.title || fallbackTitle,
        cancellable: value.cancellable === true,
      },
      (reporter, cancellation) =>
        new Promise<void>((resolve) => {
          if (finished) {
            resolve();
            return;
          }
          progress = reporter;
          finish = resolve;
          cancellation.onCancellationRequested(() => {
            void client.sendNotification(WorkDoneProgressCancelNotification.type, { token });
            resolve();
          });
          report(value.message, value.percentage);
        }),
    );
  };

  const listener = client.onProgress(WorkDoneProgress.type, token, (value) => {
    if (value.kind === "begin") {
      begin(value);
    } else if (value.kind === "report") {
      report(value.message, value.percentage);
    } else {
      end();
    }
  });

  function end(): void {
    finished = true;
    finish?.();
    listener.dispose();
  }

  return new vscode.Disposable(end);
}

/** Answers the server's `window/workDoneProgress/create` so its progress shows as notifications. */
export function handleServerProgress(client: BaseLanguageClient): vscode.Disposable {
  return client.onRequest(WorkDoneProgressCreateRequest.type, (params) => {
    showProgress(client, params.token);
  });
}
