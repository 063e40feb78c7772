;;; drive.el --- Drive howto-ls from Emacs + eglot, in batch: run a code action, save.  -*- lexical-binding: t -*-
;; Inputs (environment): HOWTO_ROOT, HOWTO_FILE, HOWTO_LINE, HOWTO_COL (0-based), HOWTO_ACTION
;; (title to pick), and HOWTO_CMD (JSON list: start that server) or, when it is unset, nothing:
;; then `M-x eglot' starts whatever the user's configuration (loaded before this file) says.
;; With HOWTO_HOVER_OUT set, it then asks eglot's hover (its eldoc function) at the same position
;; and writes the text eldoc would show to that file.
(dolist (dir (file-expand-wildcards "/usr/share/emacs/site-lisp/elpa/*"))
  (add-to-list 'load-path dir))
(require 'json)
(require 'cl-lib)
(require 'python)
(require 'eglot)

;; The user's configuration decides whether edits are confirmed; HOWTO_CMD runs have none.
(when (getenv "HOWTO_CMD")
  (setq eglot-confirm-server-initiated-edits nil))
(setq eglot-sync-connect 30
      eglot-connect-timeout 30
      eglot-autoshutdown nil
      make-backup-files nil)

(defun howto-drive-fail (message)
  "Print MESSAGE and leave Emacs with status 1."
  (princ (format "drive.el: %s\n" message) #'external-debugging-output)
  (kill-emacs 1))

(condition-case err
    (let* ((cmd (and (getenv "HOWTO_CMD")
                     (append (json-read-from-string (getenv "HOWTO_CMD")) nil)))
           (root (file-name-as-directory (getenv "HOWTO_ROOT")))
           (wanted (getenv "HOWTO_ACTION"))
           (offered nil))
      (find-file (getenv "HOWTO_FILE"))
      (python-mode)
      (if cmd
          (eglot '(python-mode) (cons 'transient root) 'eglot-lsp-server cmd "python")
        (call-interactively #'eglot))
      (unless (eglot-current-server) (howto-drive-fail "eglot did not connect"))
      (goto-char (point-min))
      (forward-line (string-to-number (getenv "HOWTO_LINE")))
      (forward-char (string-to-number (getenv "HOWTO_COL")))
      (let ((tick (buffer-chars-modified-tick)))
        ;; Answer the code-action menu with the wanted title, as a person would.
        (cl-letf (((symbol-function 'completing-read)
                   (lambda (_prompt collection &rest _)
                     (setq offered (mapcar (lambda (c) (if (consp c) (car c) c)) collection))
                     (or (car (member wanted offered))
                         (howto-drive-fail (format "no %S among %S" wanted offered))))))
          (let ((last-nonmenu-event 13))  ; a key, not a mouse click: read, not popup
            (eglot-code-actions (point) (point) nil t)))
        (with-timeout (60 (howto-drive-fail "no edit arrived"))
          (while (= tick (buffer-chars-modified-tick))
            (accept-process-output nil 0.05))))
      (save-buffer)
      (let ((hover-out (getenv "HOWTO_HOVER_OUT"))
            (shown nil))
        (when hover-out
          (goto-char (point-min))
          (forward-line (string-to-number (getenv "HOWTO_LINE")))
          (forward-char (string-to-number (getenv "HOWTO_COL")))
          (eglot-hover-eldoc-function (lambda (info &rest _) (setq shown (or info ""))))
          (with-timeout (20 (howto-drive-fail "no hover arrived"))
            (while (null shown)
              (accept-process-output nil 0.05)))
          (let ((coding-system-for-write 'utf-8))
            (write-region (substring-no-properties shown) nil hover-out))))
      (kill-emacs 0))
  (error (howto-drive-fail (error-message-string err))))
;;; drive.el ends here
