from regqa.cli import main

raise SystemExit(main())
