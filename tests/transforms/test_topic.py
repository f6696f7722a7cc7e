"""The topic model: all-MiniLM-L6-v2 (int8 ONNX) and its tokenizer, read from installed packages."""

from transforms.topic import embed, model_files


def test_model_files_ship_in_packages():
    model, tokenizer = model_files()
    assert model.is_file() and model.stat().st_size > 10_000_000
    assert tokenizer.is_file()


def test_embeddings_are_normalised_and_batched():
    vectors = embed(["water treatment plant", "drinking water filters", "a late penalty save"])
    assert vectors.shape == (3, 384)
    assert abs(float((vectors[0] ** 2).sum()) - 1.0) < 1e-3
    near, far, plant = embed(["drinking water filters", "a late penalty save", "water plant"])
    assert near @ plant > far @ plant
