"""Settings from the environment (prefix CNN_). Every limit lives here, with a sensible default."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic_settings import BaseSettings, SettingsConfigDict

ROOT = Path(__file__).resolve().parent.parent


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="CNN_")

    # Where things are kept: prepared datasets (``make data``), and runs with their weights.
    datasets_dir: Path = ROOT / ".cache" / "datasets"
    data_dir: Path = ROOT / ".data"
    # The run store: unset, SQLite (runs.db in data_dir); or a server that several web processes and hosts share,
    # e.g. postgresql://user:password@host:5432/cnn_blocks (psycopg 3). Its schema is migrated on start.
    database_url: str | None = None

    # Model size limits for /api/shapes: far beyond any classic model, small enough to answer instantly.
    max_layers: int = 2_000  # NASNetLarge has 1,041
    max_merge_inputs: int = 64  # inputs of one merge layer (NASNet's cells join 6)
    max_input_rank: int = 4
    max_input_dim: int = 65_536
    max_param_value: int = 1_000_000
    # What the shape engine remembers between requests (app/core/memo.py); 0 turns a memo off.
    # Entries per memo (layers, layers on their input shapes, summary rows): about 2 kB each, as ResNet50 and
    # NASNetLarge leave 1,594 of them in 3.4 MB, so at most about 60 MB for the three.
    layer_memo_entries: int = 10_000
    shapes_cache_mb: int = 32  # whole answers of POST /api/shapes by body (NASNetLarge's is 1.4 MB)
    # Allocations between young garbage collections in the web process (CPython's default: 700); 0 keeps CPython's
    # settings. Larger means fewer pauses in answers that build many objects (app/heap.py).
    gc_young_threshold: int = 20_000

    # Request bodies, bounded while they stream in (chunked or not), before anything parses them.
    max_json_bytes: int = 2 * 1024 * 1024  # a model as JSON: NASNetLarge's 1,041 layers take about 400 KB

    # Connections (app.server): a request must arrive in time, and open connections are capped.
    header_timeout_s: float = 10.0  # from connecting (or the previous answer) to the end of the headers
    body_timeout_s: float = 60.0  # from the headers to the end of the body: a 10 MB photo over a slow link
    shutdown_grace_s: float = 5.0  # on stopping, open requests get this long; then they (and a run) are cut off
    max_connections: int = 1_000
    max_header_bytes: int = 64 * 1024  # request line and headers together

    # TensorFlow workers (feature maps): how many, and how each job is bounded.
    workers: int = 1
    max_queued_jobs: int = 8  # requests waiting for a busy worker; more get 429 at once
    max_uploads_in_flight: int = 16  # feature-map requests being received or served at once; more get 429
    worker_restart_backoff_s: float = 1.0  # a worker that fails to start is retried after this, doubling to 30 s
    job_timeout_s: float = 60.0
    worker_start_timeout_s: float = 120.0  # importing TensorFlow in a fresh process is slow
    worker_memory_mb: int = 3_000  # a worker above this resident size is killed and replaced
    worker_max_jobs: int = 1_000  # then the worker is replaced, in case Keras or TF keep something per model
    worker_model_cache: int = 8  # built models kept per worker, keyed by (spec, seed)

    # Datasets uploaded as zips of class folders.
    max_dataset_bytes: int = 50 * 1024 * 1024  # the zip itself
    max_dataset_unpacked_bytes: int = 500 * 1024 * 1024  # everything in it, as declared and as read
    max_zip_entries: int = 20_000
    max_dataset_image_size: int = 128  # pictures are resized to image_size × image_size, at most this
    max_dataset_picture_pixels: int = 4_000_000  # one picture in a zip (a 2000×2000 photo), read from its header
    max_dataset_uploads_in_flight: int = 2  # zips being read at once; more get 429 before their body is read

    # Training runs: one at a time by default, each in its own TensorFlow worker, bounded like feature maps.
    training_workers: int = 1  # runs training at once; the others wait in order
    max_queued_runs: int = 20  # runs waiting; more get 429
    max_epochs: int = 50
    max_batch_size: int = 1_024
    max_train_s: float = 1_800.0  # one run's time limit, then it fails with what it had reached
    train_memory_mb: int = 6_000  # a training worker above this resident size is stopped
    max_train_memory_mb: int = 2_000  # the estimate checked before building: activations × batch + weights × 4
    progress_interval_s: float = 0.25  # progress events at most this often
    run_stale_s: float = 30.0  # a running run whose trainer is silent this long (its server died) is interrupted

    # What one feature-map request may cost, checked from the core's estimate before anything is built.
    max_activation_mb: int = 512  # every layer's output for one image, float32
    max_weights_mb: int = 600  # the model's parameters, float32 (VGG16 is 528 MB)
    max_macs: int = 50_000_000_000  # multiply-adds for one image (VGG16 on 224×224: 15.5 billion; ~2 s here)

    # Uploads.
    max_upload_bytes: int = 10 * 1024 * 1024
    max_image_pixels: int = 40_000_000  # read from the header, before decoding
    max_flat_values: int = 512  # values of a flat output (Dense, Flatten) sent for the bars
    max_mosaic_pixels: int = 16_000_000  # channels beyond this are left out of a layer's mosaic
    max_kernel_tiles: int = 4_096  # kernel tiles (filters × input channels) drawn per layer

    # Model files opened by POST /api/import (.keras, .h5 or model.to_json()), read as data and never run.
    max_import_bytes: int = 600 * 1024 * 1024  # the request: a .keras holds its weights (ResNet50 100 MB, VGG19 575 MB)
    max_import_config_bytes: int = 8 * 1024 * 1024  # the architecture JSON in it (NASNetLarge's: 1 MB)
    max_import_zip_entries: int = 64  # files in a .keras zip (Keras writes 3)
    max_import_json_depth: int = 64  # nesting inside one layer's entry (Keras writes about 8)
    max_imports_in_flight: int = 2  # model files being received at once; more get 429 before their body is read
    # Python code sent to POST /api/import (the code field or a .py file), parsed with ast and never run.
    max_import_code_bytes: int = 256 * 1024  # a long tutorial script is 10-20 KB

    # POST /api/export: drawings of a model (SVG has no limit but the layer limit; a PNG's pixels do).
    max_export_pixels: int = 30_000_000  # a PNG: at 2× while that fits, else 1× (ResNet50: 908 × 19,258 px at 1×)
    max_drawings_in_flight: int = 2  # drawings made at once (a PNG holds its pixels while it renders); more wait

    # A Ray cluster for the TensorFlow jobs (docs/scaling.md): unset, they run in local worker processes.
    ray_address: str | None = None  # the head node's host:port (`ray start --head --port=6379`), e.g. 10.0.0.5:6379
    ray_namespace: str = "cnn-blocks"  # the Ray namespace this app's actors and tasks live in
    ray_train_cpus: float = 1.0  # CPUs one training run reserves on its node; feature-map actors reserve none


@lru_cache
def get_settings() -> Settings:
    return Settings()
